import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import {
  closeMcp,
  connectMcpHttp,
  HttpClient,
  startTestGateway,
  structuredOf,
  textOf,
  type TestGateway,
} from '@sandboxed/testing';
import { WsTestClient } from './support/ws-test.client.js';

const CAP = 64 * 1024;
const FIFTY_MB = 50 * 1024 * 1024;

interface Recorded {
  server: Server;
  port: number;
  connections: number;
  requests: string[];
}

/** A real HTTP server on the loopback, counting every TCP connection it accepts. */
async function serve(host: string, handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<Recorded> {
  const server = createServer(handler);
  const rec: Recorded = { server, port: 0, connections: 0, requests: [] };
  server.on('connection', () => rec.connections++);
  server.on('request', (req: IncomingMessage) => rec.requests.push(req.url ?? ''));
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  rec.port = (server.address() as AddressInfo).port;
  return rec;
}

const close = (s: Server | undefined): Promise<void> =>
  new Promise((resolve) => {
    if (!s) return resolve();
    s.closeAllConnections();
    s.close(() => resolve());
  });

const ARTICLE = `<!doctype html><html><head><title>Sandboxes for agents</title></head><body>
<nav><a href="/">Home</a> · <a href="/about">About</a></nav>
<article><h1>Sandboxes for agents</h1>
<p>A <strong>sandbox</strong> gives an agent a place to run code without touching the host. Each one has its own
filesystem, processes and network namespace, and the gateway owns its spec.</p>
<p>Agents read pages as markdown: headings, <a href="https://example.com/docs">links</a> and lists survive.</p>
<ul><li>isolation by default</li><li>limits on time and output</li></ul>
<p>Long enough prose lets Readability pick this article as the main content of the page, which it does by
scoring paragraphs by their length and their commas, so this paragraph has a few, like this, and this.</p>
</article><footer>© nobody</footer></body></html>`;

describe('web.fetch: SSRF-safe fetch by the gateway, over REST and MCP', () => {
  let gw: TestGateway;
  let api: HttpClient;
  let mcp: Client;
  /** Must never be reached: every refused URL points at it. */
  let sentinel: Recorded;
  let sentinel6: Recorded;
  /** The one destination the allowlist opens (127.0.0.1:<its port>). */
  let allowed: Recorded;
  let bigSent = 0;
  let bigClosed: Promise<void>;
  const gatewayPaths: string[] = [];

  beforeAll(async () => {
    sentinel = await serve('127.0.0.1', (_req, res) => res.end('reached'));
    sentinel6 = await serve('::1', (_req, res) => res.end('reached'));
    let bigDone!: () => void;
    bigClosed = new Promise((resolve) => (bigDone = resolve));
    allowed = await serve('127.0.0.1', (req, res) => {
      if (req.url === '/page') {
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(ARTICLE);
      } else if (req.url === '/redirect-to-loopback') {
        res.writeHead(302, { location: `http://127.0.0.1:${sentinel.port}/secret` }).end();
      } else if (req.url === '/redirect-to-file') {
        res.writeHead(302, { location: 'file:///etc/passwd' }).end();
      } else if (req.url === '/big') {
        res.writeHead(200, { 'content-type': 'text/plain', 'content-length': String(FIFTY_MB) });
        const chunk = Buffer.alloc(64 * 1024, 'a');
        const pump = (): void => {
          while (bigSent < FIFTY_MB && !res.destroyed) {
            bigSent += chunk.length;
            if (!res.write(chunk)) return void res.once('drain', pump);
          }
          if (!res.destroyed) res.end();
        };
        res.on('close', () => bigDone());
        pump();
      } else if (req.url === '/slow') {
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.write('.');
        const timer = setInterval(() => res.write('.'), 2000);
        res.on('close', () => clearInterval(timer));
      } else if (req.url === '/image') {
        res.writeHead(200, { 'content-type': 'image/png' }).end(Buffer.from([0x89, 0x50, 0x4e, 0x47]));
      } else {
        res.writeHead(404).end();
      }
    });
    gw = await startTestGateway({
      onlyPlugins: ['runtime-local', 'transport-rest', 'transport-mcp', 'transport-ws'],
      extraPlugins: [{ use: 'capability-web', options: { allowPrivileged: [`127.0.0.1:${allowed.port}`] } }],
    });
    gw.app.getHttpServer().on('request', (req: IncomingMessage) => gatewayPaths.push(req.url ?? ''));
    api = new HttpClient(gw.url);
    mcp = await connectMcpHttp(gw.url, 'streamable', { profile: 'full' });
  });

  afterAll(async () => {
    await closeMcp(mcp);
    await gw?.close();
    await Promise.all([close(sentinel?.server), close(sentinel6?.server), close(allowed?.server)]);
  });

  const refusedUrls = (): Array<[string, RegExp]> => [
    [`http://127.0.0.1:${sentinel.port}/`, /loopback address/],
    [`http://[::1]:${sentinel6.port}/`, /loopback address/],
    [`http://0x7f.1:${sentinel.port}/`, /loopback address/],
    [`http://2130706433:${sentinel.port}/`, /loopback address/],
    [`http://0177.0.0.1:${sentinel.port}/`, /loopback address/],
    [`http://127.1:${sentinel.port}/`, /loopback address/],
    [`http://[::ffff:127.0.0.1]:${sentinel.port}/`, /loopback address/],
    [`http://localhost.:${sentinel.port}/`, /loopback name/],
    [`http://localhost:${sentinel.port}/`, /loopback name/],
    ['http://169.254.169.254/latest/meta-data/', /metadata address/],
    ['http://[fd00:ec2::254]/', /metadata address/],
    ['http://10.11.12.13/', /private address/],
    ['http://192.168.0.1/', /private address/],
    ['http://100.64.1.1/', /carrier-grade-nat address/],
    ['http://0.0.0.0/', /unspecified address/],
    ['http://[fe80::1]/', /link-local address/],
    ['http://224.0.0.1/', /multicast address/],
  ];

  it('refuses loopback, private, link-local, CGNAT, multicast and metadata addresses in every spelling, with no connection made', async () => {
    for (const [url, why] of refusedUrls()) {
      const res = await api.post('/v1/web/fetch', { url });
      expect({ url, status: res.status, code: res.body.error?.code }).toEqual({ url, status: 403, code: 'forbidden' });
      expect(res.body.error.message).toMatch(why);
      expect(res.body.error.message).toContain('allowPrivileged');
    }
    expect(sentinel.connections).toBe(0);
    expect(sentinel6.connections).toBe(0);
  });

  it('refuses the gateway’s own /health on 127.0.0.1 without requesting it', async () => {
    const res = await api.post('/v1/web/fetch', { url: `${gw.url}/health` });
    expect(res.status).toBe(403);
    expect(res.body.error.message).toMatch(/127\.0\.0\.1: a loopback address/);
    expect(gatewayPaths).not.toContain('/health');
  });

  it('refuses schemes other than http and https with a 400', async () => {
    for (const url of ['file:///etc/passwd', 'gopher://x/', 'ftp://example.com/', 'data:text/plain,hi', 'not a url']) {
      const res = await api.post('/v1/web/fetch', { url });
      expect({ url, status: res.status }).toEqual({ url, status: 400 });
      expect(res.body.error.code).toBe('invalid_argument');
    }
    const res = await api.post('/v1/web/fetch', { url: 'gopher://x' });
    expect(res.body.error.message).toBe('url: the gopher: scheme is not allowed; use http or https');
  });

  it('refuses a redirect to a loopback address at the hop: the allowlisted first hop is fetched, the target never', async () => {
    const res = await api.post('/v1/web/fetch', { url: `http://127.0.0.1:${allowed.port}/redirect-to-loopback` });
    expect(res.status).toBe(403);
    expect(res.body.error.message).toMatch(/127\.0\.0\.1: a loopback address/);
    expect(allowed.requests).toContain('/redirect-to-loopback');
    expect(sentinel.connections).toBe(0);
  });

  it('refuses a redirect to file:', async () => {
    const res = await api.post('/v1/web/fetch', { url: `http://127.0.0.1:${allowed.port}/redirect-to-file` });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toMatch(/redirect from .* to the file: scheme is not allowed/);
  });

  it('returns an allowed page as markdown with its title, and as text and html', async () => {
    const url = `http://127.0.0.1:${allowed.port}/page`;
    const md = await api.post('/v1/web/fetch', { url });
    expect(md.status).toBe(200);
    expect(md.body).toMatchObject({ url, finalUrl: url, status: 200, title: 'Sandboxes for agents', truncated: false });
    expect(md.body.contentType).toBe('text/html; charset=utf-8');
    expect(md.body.content).toContain('A **sandbox** gives an agent');
    expect(md.body.content).toContain('[links](https://example.com/docs)');
    expect(md.body.content).toMatch(/^- +isolation by default$/m);
    expect(md.body.content).not.toContain('© nobody');
    const text = await api.post('/v1/web/fetch', { url, format: 'text' });
    expect(text.body.content).toContain('A sandbox gives an agent');
    expect(text.body.content).not.toContain('<');
    const html = await api.post('/v1/web/fetch', { url, format: 'html' });
    expect(html.body.content).toBe(ARTICLE);
  });

  it('stops a 50 MB body at the cap while streaming', async () => {
    const res = await api.post('/v1/web/fetch', { url: `http://127.0.0.1:${allowed.port}/big`, maxBytes: CAP });
    expect(res.status).toBe(200);
    expect(res.body.truncated).toBe(true);
    expect(Buffer.byteLength(res.body.content)).toBe(CAP);
    await bigClosed; // the gateway hung up: the server stopped long before 50 MB
    expect(bigSent).toBeLessThan(FIFTY_MB / 2);
  });

  it('ends a server that sends a byte every 2 s at the deadline with a 504', async () => {
    const started = Date.now();
    const res = await api.post('/v1/web/fetch', { url: `http://127.0.0.1:${allowed.port}/slow`, timeoutMs: 3000 });
    expect(res.status).toBe(504);
    expect(res.body.error.code).toBe('timeout');
    expect(res.body.error.message).toMatch(/did not finish within 3000 ms/);
    expect(Date.now() - started).toBeLessThan(8000);
  });

  it('omits the content of a binary media type', async () => {
    const res = await api.post('/v1/web/fetch', { url: `http://127.0.0.1:${allowed.port}/image` });
    expect(res.body).toMatchObject({ status: 200, contentType: 'image/png', content: '', binary: true });
  });

  it('refuses a maxBytes or timeoutMs over the options’ limits, naming the option', async () => {
    const url = `http://127.0.0.1:${allowed.port}/page`;
    const big = await api.post('/v1/web/fetch', { url, maxBytes: 1024 * 1024 * 1024 });
    expect(big.status).toBe(400);
    expect(big.body.error.message).toMatch(/maxBytes: at most \d+ \(the capability-web option maxBytesLimit\)/);
    const long = await api.post('/v1/web/fetch', { url, timeoutMs: 3_600_000 });
    expect(long.status).toBe(400);
    expect(long.body.error.message).toMatch(/timeoutMs: at most 60000/);
  });

  it('over MCP: web_fetch refuses the loopback as an isError result and fetches an allowed page', async () => {
    const before = sentinel.connections;
    const refused = await mcp.callTool({ name: 'web_fetch', arguments: { url: `http://0x7f.1:${sentinel.port}/` } });
    expect(refused.isError).toBe(true);
    expect(textOf(refused)).toMatch(/loopback address/);
    expect(sentinel.connections).toBe(before);
    const ok = await mcp.callTool({ name: 'web_fetch', arguments: { url: `http://127.0.0.1:${allowed.port}/page` } });
    expect(structuredOf(ok)).toMatchObject({ title: 'Sandboxes for agents', status: 200 });
  });

  it('over WebSocket as op web.fetch: a refusal is an error frame, an allowed page a result', async () => {
    const client = await WsTestClient.connect(`${gw.url.replace('http', 'ws')}/v1/ws`, {});
    try {
      expect(await client.next((f) => f.ready)).toMatchObject({ ready: true });
      client.send({ id: 1, op: 'web.fetch', input: { url: `http://[::ffff:127.0.0.1]:${sentinel.port}/` } });
      expect((await client.next((f) => f.id === 1)).error).toMatchObject({ code: 'forbidden' });
      client.send({ id: 2, op: 'web.fetch', input: { url: `http://127.0.0.1:${allowed.port}/page`, format: 'text' } });
      expect((await client.next((f) => f.id === 2)).result).toMatchObject({ title: 'Sandboxes for agents' });
      expect(sentinel.connections).toBe(0);
    } finally {
      client.ws.terminate();
    }
  });
});
