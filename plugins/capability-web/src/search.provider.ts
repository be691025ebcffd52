export interface SearchHit {
  title: string;
  url: string;
  snippet: string;
}

/** A web search backend; web.search calls the one the `search` option selects. */
export interface SearchProvider {
  readonly name: string;
  search(query: string, limit: number, signal?: AbortSignal): Promise<SearchHit[]>;
}
