import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { SignJWT } from 'jose';
import {
  closeMcp,
  connectMcpHttp,
  HttpClient,
  startTestGateway,
  structuredOf,
  type TestGateway,
} from '@sandboxed/testing';

const PLUGINS = ['runtime-local', 'transport-rest', 'transport-mcp'];

/** A stand-in for a SearXNG instance: its `/search?q=...&format=json` answer shape, on the loopback. */
async function fakeSearxng(): Promise<{ server: Server; url: string; queries: URLSearchParams[] }> {
  const queries: URLSearchParams[] = [];
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname !== '/search') return void res.writeHead(404).end();
    queries.push(url.searchParams);
    if (url.searchParams.get('format') !== 'json') return void res.writeHead(403).end('Forbidden');
    const q = url.searchParams.get('q') ?? '';
    res.writeHead(200, { 'content-type': 'application/json' }).end(
      JSON.stringify({
        query: q,
        number_of_results: 3,
        results: [1, 2, 3].map((n) => ({
          title: `${q} result ${n}`,
          url: `https://example.com/${n}`,
          content: `About ${q}, part ${n}`,
          engine: 'duckduckgo',
          score: 1 / n,
        })),
        answers: [],
        suggestions: [],
      }),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, queries };
}

describe('web.search', () => {
  let searx: Awaited<ReturnType<typeof fakeSearxng>>;
  let gw: TestGateway;
  let bare: TestGateway;
  let mcp: Client;

  beforeAll(async () => {
    searx = await fakeSearxng();
    gw = await startTestGateway({
      onlyPlugins: PLUGINS,
      // The provider URL is operator config: a loopback instance is reached without any allowlist.
      extraPlugins: [{ use: 'capability-web', options: { search: { provider: 'searxng', url: `${searx.url}/` } } }],
    });
    bare = await startTestGateway({ onlyPlugins: PLUGINS, extraPlugins: ['capability-web'] });
    mcp = await connectMcpHttp(gw.url, 'streamable', { profile: 'full' });
  });

  afterAll(async () => {
    await closeMcp(mcp);
    await gw?.close();
    await bare?.close();
    await new Promise<void>((resolve) => (searx ? searx.server.close(() => resolve()) : resolve()));
  });

  it('asks the SearXNG JSON API and returns title, url and snippet, up to limit', async () => {
    const res = await new HttpClient(gw.url).post('/v1/web/search', { query: 'bubble wrap', limit: 2 });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      results: [
        { title: 'bubble wrap result 1', url: 'https://example.com/1', snippet: 'About bubble wrap, part 1' },
        { title: 'bubble wrap result 2', url: 'https://example.com/2', snippet: 'About bubble wrap, part 2' },
      ],
    });
    const q = searx.queries.at(-1)!;
    expect([q.get('q'), q.get('format')]).toEqual(['bubble wrap', 'json']);
  });

  it('over MCP as web_search', async () => {
    const out = structuredOf(await mcp.callTool({ name: 'web_search', arguments: { query: 'x' } }));
    expect(out.results).toHaveLength(3);
  });

  it('answers 501 naming the option when no provider is configured', async () => {
    const res = await new HttpClient(bare.url).post('/v1/web/search', { query: 'x' });
    expect(res.status).toBe(501);
    expect(res.body.error.code).toBe('not_implemented');
    expect(res.body.error.message).toMatch(/no provider .*capability-web option search/);
  });

  it('refuses a bad query with a 400', async () => {
    const res = await new HttpClient(gw.url).post('/v1/web/search', { query: '', limit: 500 });
    expect(res.status).toBe(400);
  });

  it('refuses a provider other than searxng at boot, naming the key', async () => {
    await expect(
      startTestGateway({
        onlyPlugins: PLUGINS,
        extraPlugins: [{ use: 'capability-web', options: { search: { provider: 'google', url: searx.url } } }],
      }),
    ).rejects.toThrow(/capability-web.*options\.search\.provider: must be searxng/s);
  });

  it('needs the web:search scope (web.fetch needs web:fetch): sandbox scopes are not enough', async () => {
    const secret = 'web-scope-test-secret-0123456789abcdef';
    const scoped = await startTestGateway({
      onlyPlugins: PLUGINS,
      config: { auth: { jwt: { secret } } },
      extraPlugins: [{ use: 'capability-web', options: { search: { provider: 'searxng', url: searx.url } } }],
    });
    try {
      const token = (scope: string): Promise<string> =>
        new SignJWT({ sub: 'webby', scope })
          .setProtectedHeader({ alg: 'HS256' })
          .setIssuedAt()
          .setExpirationTime('5m')
          .sign(new TextEncoder().encode(secret));
      const as = async (scope: string): Promise<HttpClient> =>
        new HttpClient(scoped.url, { authorization: `Bearer ${await token(scope)}` });
      const sandboxOnly = await as('sandbox:read sandbox:write');
      const search = await sandboxOnly.post('/v1/web/search', { query: 'x' });
      expect(search.status).toBe(403);
      expect(search.body.error.message).toContain('web:search');
      const fetch = await sandboxOnly.post('/v1/web/fetch', { url: 'http://example.invalid/' });
      expect(fetch.status).toBe(403);
      expect(fetch.body.error.message).toContain('web:fetch');
      expect((await (await as('web:search')).post('/v1/web/search', { query: 'x' })).status).toBe(200);
    } finally {
      await scoped.close();
    }
  });
});
