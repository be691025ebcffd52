import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import {
  globalOperation,
  NotImplementedError,
  OPERATION_REGISTRY,
  type OperationRegistry,
} from '@sandboxed/plugin-sdk';
import { EgressPolicy } from './egress.policy.js';
import type { SearchProvider } from './search.provider.js';
import { WebSettings } from './web-options.dto.js';
import { WebFetchInput, WebFetchOutput, WebSearchInput, WebSearchOutput } from './web.dto.js';
import type { WebFetcher } from './web.fetcher.js';

/**
 * The fetcher and the search provider are imported by their first call: undici and the HTML converters
 * (linkedom, Readability, turndown) are about 12 MB of heap that an idle gateway need not hold.
 */
@Injectable()
export class WebOperations implements OnModuleInit {
  private fetcher?: Promise<WebFetcher>;
  private provider?: Promise<SearchProvider>;

  constructor(
    @Inject(OPERATION_REGISTRY) private readonly registry: OperationRegistry,
    @Inject(WebSettings) private readonly settings: WebSettings,
  ) {}

  private webFetcher(): Promise<WebFetcher> {
    return (this.fetcher ??= import('./web.fetcher.js').then(
      ({ WebFetcher }) => new WebFetcher(this.settings, new EgressPolicy(this.settings.allowlist)),
    ));
  }

  private searchProvider(search: NonNullable<WebSettings['search']>): Promise<SearchProvider> {
    return (this.provider ??= import('./searxng.provider.js').then(
      ({ SearxngProvider }) => new SearxngProvider(search.url, search.timeoutMs, this.settings.userAgent),
    ));
  }

  onModuleInit(): void {
    const search = this.settings.search;
    this.registry.register(
      globalOperation({
        id: 'web.fetch',
        summary: 'Fetch a web page as markdown, text or HTML',
        description:
          'The gateway fetches an http(s) URL (not a sandbox) and returns its main content as markdown (default), ' +
          'readable text or raw HTML. Only public addresses are reached: loopback, private, link-local, CGNAT, ' +
          'multicast, metadata and reserved addresses are refused with a 403 at connect time and on every redirect ' +
          '(at most 5), unless the operator allowlisted them. No caller credentials or headers are sent. The body is ' +
          'cut at maxBytes (truncated: true) and the whole fetch ends at timeoutMs (504).',
        input: WebFetchInput,
        output: WebFetchOutput,
        requiredScope: 'web:fetch',
        hints: { readOnly: true, idempotent: true },
        http: { method: 'POST', path: 'web/fetch' },
        handler: async (ctx, input) => (await this.webFetcher()).fetch(input, ctx.signal),
      }),
    );
    this.registry.register(
      globalOperation({
        id: 'web.search',
        summary: 'Search the web',
        description:
          'Asks the search provider the operator configured (capability-web option search; SearXNG) and returns ' +
          'title, URL and snippet for each result. A gateway without a provider answers 501.',
        input: WebSearchInput,
        output: WebSearchOutput,
        requiredScope: 'web:search',
        hints: { readOnly: true, idempotent: true },
        http: { method: 'POST', path: 'web/search' },
        handler: async (ctx, input) => {
          if (!search) {
            throw new NotImplementedError(
              'web.search has no provider on this gateway: an operator sets the capability-web option search, e.g. ' +
                '{ provider: searxng, url: http://searxng:8080 }',
            );
          }
          const provider = await this.searchProvider(search);
          return { results: await provider.search(input.query, input.limit ?? 10, ctx.signal) };
        },
      }),
    );
  }
}
