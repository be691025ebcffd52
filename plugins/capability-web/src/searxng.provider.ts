import { TimeoutError, UnavailableError } from '@sandboxed/plugin-sdk';
import { request } from 'undici';
import type { SearchHit, SearchProvider } from './search.provider.js';

interface SearxngResult {
  title?: unknown;
  url?: unknown;
  content?: unknown;
}

/**
 * SearXNG's JSON API (`GET <base>/search?q=...&format=json`; the instance must list `json` in
 * `search.formats`). The base URL is operator config, so it is reached without the egress rules.
 */
export class SearxngProvider implements SearchProvider {
  readonly name = 'searxng';

  constructor(
    private readonly baseUrl: string,
    private readonly timeoutMs: number,
    private readonly userAgent: string,
  ) {}

  async search(query: string, limit: number, signal?: AbortSignal): Promise<SearchHit[]> {
    const url = new URL(`${this.baseUrl}/search`);
    url.searchParams.set('q', query);
    url.searchParams.set('format', 'json');
    const deadline = AbortSignal.timeout(this.timeoutMs);
    let body: unknown;
    try {
      const res = await request(url, {
        signal: signal ? AbortSignal.any([deadline, signal]) : deadline,
        headers: { accept: 'application/json', 'user-agent': this.userAgent },
      });
      if (res.statusCode !== 200) {
        res.body.on('error', () => undefined);
        res.body.destroy();
        throw new UnavailableError(
          `The SearXNG instance answered ${res.statusCode}${res.statusCode === 403 ? ' (is json in its search.formats?)' : ''}`,
        );
      }
      body = await res.body.json();
    } catch (err) {
      if (err instanceof UnavailableError) throw err;
      if (deadline.aborted) throw new TimeoutError(`The SearXNG instance did not answer within ${this.timeoutMs} ms`);
      throw new UnavailableError(`The SearXNG instance could not be reached: ${(err as Error).message}`);
    }
    const results = (body as { results?: unknown })?.results;
    if (!Array.isArray(results)) throw new UnavailableError('The SearXNG instance answered without a results array');
    return (results as SearxngResult[])
      .filter((r) => typeof r?.url === 'string')
      .slice(0, limit)
      .map((r) => ({
        title: typeof r.title === 'string' ? r.title : '',
        url: r.url as string,
        snippet: typeof r.content === 'string' ? r.content : '',
      }));
  }
}
