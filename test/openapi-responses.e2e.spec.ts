import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { loadConfig } from '@sandboxed/kernel';
import { HttpClient, OpenApiResponseValidator, startTestGateway, waitFor, type TestGateway } from '@sandboxed/testing';

const SLOW = 120_000;
const ALICE = { authorization: 'Bearer k_alice' };

// Every REST operation is called with the response check on: a status, media type or body that
// /openapi.json does not declare fails the call. The last test asserts that each documented
// operation was answered at least once with a success status, so a new operation cannot slip by.
describe('every REST response matches its declared schema', () => {
  let gw: TestGateway;
  let validator: OpenApiResponseValidator;
  let api: HttpClient;
  let anonymous: HttpClient;
  let id: string;
  /** A page web.fetch is allowed to read, and a SearXNG stand-in for web.search. */
  let web: Server;
  let webPort: number;
  const sb = (rest = ''): string => `/v1/sandboxes/${id}${rest}`;

  beforeAll(async () => {
    web = createServer((req, res) =>
      req.url?.startsWith('/search')
        ? res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ results: [] }))
        : res.writeHead(200, { 'content-type': 'text/html' }).end('<title>t</title><p>hello</p>'),
    );
    await new Promise<void>((resolve) => web.listen(0, '127.0.0.1', resolve));
    webPort = (web.address() as AddressInfo).port;
    const defaults = loadConfig({ env: {}, argv: [] }).plugins.map((p) => p.use);
    gw = await startTestGateway({
      config: { auth: { apiKeys: { k_alice: 'alice' } } },
      onlyPlugins: defaults.filter((use) => use !== 'capability-web'),
      extraPlugins: [
        {
          use: 'capability-web',
          options: {
            allowPrivileged: [`127.0.0.1:${webPort}`],
            search: { provider: 'searxng', url: `http://127.0.0.1:${webPort}` },
          },
        },
      ],
    });
    validator = await OpenApiResponseValidator.forGateway(gw.url);
    api = new HttpClient(gw.url, ALICE).validatingResponses(validator);
    anonymous = new HttpClient(gw.url).validatingResponses(validator);
    id = await api.createSandbox({ labels: { suite: 'responses' }, ttlSeconds: 600 });
  }, SLOW);
  afterAll(async () => {
    await gw?.close();
    await new Promise<void>((resolve) => (web ? web.close(() => resolve()) : resolve()));
  }, SLOW);

  it('health and the sandbox lifecycle', async () => {
    expect((await anonymous.get('/health')).status).toBe(200);
    expect((await api.get('/v1/sandboxes?labels=suite=responses')).body.count).toBe(1);
    expect((await api.get(sb())).body.id).toBe(id);
    expect((await anonymous.get('/v1/sandboxes')).status).toBe(401);
    expect((await api.get('/v1/sandboxes/nope')).status).toBe(404);
    expect((await api.post('/v1/sandboxes', { ttlSeconds: 'soon' })).status).toBe(400);
    expect((await api.post('/v1/ws/ticket')).status).toBe(201);
    expect((await anonymous.post('/v1/ws/ticket')).status).toBe(401);
  });

  it(
    'shell and files',
    async () => {
      expect((await api.post(sb('/exec'), { command: 'echo hi; echo err >&2' })).body.stdout).toBe('hi\n');
      const stream = await api.post(sb('/exec/stream'), { command: 'echo streamed' });
      expect(stream.body).toContain('streamed');
      expect((await api.post(sb('/files/write'), { path: 'a/one.txt', content: 'alpha\nbeta\n' })).status).toBe(200);
      expect((await api.post(sb('/files/read'), { path: 'a/one.txt' })).body.content).toBe('alpha\nbeta\n');
      expect((await api.post(sb('/files/read'), { path: 'a/none.txt' })).status).toBe(404);
      expect((await api.post(sb('/files/edit'), { path: 'a/one.txt', oldText: 'beta', newText: 'gamma' })).status).toBe(
        200,
      );
      expect((await api.post(sb('/files/edit'), { path: 'a/one.txt', oldText: 'a', newText: 'A' })).status).toBe(409);
      const listed = await api.post(sb('/files/list'), { path: 'a' });
      expect(listed.body.entries.map((e: { name: string }) => e.name)).toEqual(['one.txt']);
      expect((await api.post(sb('/files/stat'), { path: 'a/one.txt' })).body).toMatchObject({
        exists: true,
        type: 'file',
      });
      expect((await api.post(sb('/files/stat'), { path: 'a/none' })).body).toMatchObject({ exists: false });
      expect((await api.post(sb('/files/glob'), { pattern: '**/*.txt' })).body.matches).toEqual(['a/one.txt']);
      expect((await api.post(sb('/files/grep'), { pattern: 'gam+a' })).body.matches).toHaveLength(1);
      expect((await api.post(sb('/files/mkdir'), { path: 'b/c', parents: true })).status).toBe(200);
      expect((await api.post(sb('/files/copy'), { from: 'a/one.txt', to: 'b/two.txt' })).status).toBe(200);
      expect((await api.post(sb('/files/move'), { from: 'b/two.txt', to: 'b/three.txt' })).status).toBe(200);
      const upload = await api.request('PUT', sb('/files/content?path=b/raw.bin'), 'raw bytes', {
        'content-type': 'application/octet-stream',
      });
      expect(upload.status).toBe(200);
      expect((await api.get(sb('/files/content?path=b/raw.bin'))).body).toBe('raw bytes');
      expect((await api.post(sb('/files/delete'), { path: 'b', recursive: true })).status).toBe(200);
      expect((await api.post(sb('/files/read'), { encoding: 'utf8' })).status).toBe(400);
    },
    SLOW,
  );

  it(
    'processes, ports and code',
    async () => {
      const started = await api.post(sb('/processes'), { command: 'read line; echo "got $line"', name: 'reader' });
      expect(started.status).toBe(201);
      const pid: string = started.body.id;
      expect((await api.get(sb('/processes'))).body.processes.map((p: { id: string }) => p.id)).toContain(pid);
      expect((await api.get(sb(`/processes/${pid}`))).body.name).toBe('reader');
      expect((await api.post(sb(`/processes/${pid}/stdin`), { data: 'ping\n', eof: true })).status).toBe(204);
      await waitFor(
        async () => ((await api.get(sb(`/processes/${pid}`))).body.status === 'exited' ? true : undefined),
        {
          what: 'the reader to exit',
        },
      );
      const page = (await api.get(sb(`/processes/${pid}/logs`))).body;
      expect(page.lines.map((l: { text: string }) => l.text)).toEqual(['got ping']);
      const waited = (await api.post(sb(`/processes/${pid}/wait`), { timeoutMs: 30_000 })).body;
      expect(waited).toMatchObject({ done: true, process: { status: 'exited' } });
      const logs = await api.get(sb(`/processes/${pid}/logs/stream`));
      expect(logs.body).toContain('got ping');
      const sleeper = (await api.post(sb('/processes'), { argv: ['sleep', '300'] })).body.id as string;
      expect((await api.post(sb(`/processes/${sleeper}/kill`), { signal: 'SIGTERM' })).body.status).toBe('killed');
      expect((await api.get(sb('/processes/0000000000000000'))).status).toBe(404);

      expect((await api.post(sb('/ports'), { port: 8000 })).body.port).toBe(8000);
      expect((await api.get(sb('/ports'))).body.ports).toHaveLength(1);
      expect((await api.delete(sb('/ports/8000'))).status).toBe(204);

      expect((await api.get('/v1/code/languages')).body.languages.length).toBeGreaterThan(0);
      expect((await api.post(sb('/code'), { language: 'bash', code: 'echo $((6*7))' })).body.stdout).toBe('42\n');
      expect((await api.post('/v1/execute', { language: 'bash', code: 'echo once' })).body.stdout).toBe('once\n');
      const coded = await api.post(sb('/code/start'), { language: 'bash', code: 'echo later' });
      expect(coded.status).toBe(201);
      expect((await api.post(sb(`/processes/${coded.body.processId}/wait`), {})).body.done).toBe(true);
      expect((await api.post('/v1/execute', { language: 'cobol', code: 'x' })).status).toBe(400);
    },
    SLOW,
  );

  it(
    'browser',
    async () => {
      const site = 'http://localhost:8100/';
      await api.post(sb('/files/write'), { path: 'www/index.html', content: '<title>one</title><p>one</p>' });
      await api.post(sb('/files/write'), { path: 'www/two.html', content: '<title>two</title><p>two</p>' });
      await api.post(sb('/processes'), { argv: ['python3', '-m', 'http.server', '8100', '--directory', 'www'] });
      await waitFor(async () => (await api.post(sb('/browser/navigate'), { url: site })).status === 200, {
        what: 'the page server',
        timeoutMs: 30_000,
      });
      expect((await api.post(sb('/browser/navigate'), { url: `${site}two.html` })).body.title).toBe('two');
      expect((await api.post(sb('/browser/back'))).body.title).toBe('one');
      expect((await api.post(sb('/browser/forward'))).body.title).toBe('two');
      expect((await api.post(sb('/browser/reload'))).body.title).toBe('two');
      expect((await api.get(sb('/browser'))).body.viewport).toEqual({ width: 1280, height: 720 });
      expect((await api.request('PUT', sb('/browser/viewport'), { width: 1280, height: 720 })).status).toBe(200);
      const form = '<input id=i aria-label=Name><select id=s><option>a</option></select><button id=b>B</button>';
      await api.post(sb('/browser/evaluate'), { expression: `document.body.innerHTML = ${JSON.stringify(form)}` });
      expect((await api.post(sb('/browser/snapshot'))).body.snapshot).toMatch(/button "B" \[ref=e\d+\]/);
      expect((await api.post(sb('/browser/click'), { selector: '#b' })).status).toBe(200);
      expect((await api.post(sb('/browser/hover'), { selector: '#b' })).status).toBe(200);
      expect((await api.post(sb('/browser/type'), { selector: '#i', text: 'x' })).status).toBe(200);
      expect((await api.post(sb('/browser/select'), { selector: '#s', values: ['a'] })).body.selected).toEqual(['a']);
      expect((await api.post(sb('/browser/press'), { key: 'Tab' })).status).toBe(200);
      expect((await api.post(sb('/browser/scroll'), { y: 10 })).status).toBe(200);
      expect((await api.post(sb('/browser/wait'), { selector: '#b' })).body.state).toBe('visible');
      expect((await api.post(sb('/browser/wait'), { selector: '#nope', timeoutMs: 100 })).status).toBe(404);
      expect((await api.post(sb('/browser/screenshot'))).body.width).toBe(1280);
      expect((await api.post(sb('/browser/html'), { selector: 'button' })).body.content).toBe(
        '<button id="b">B</button>',
      );
      expect((await api.post(sb('/browser/text'))).body.truncated).toBe(false);
      expect((await api.post(sb('/browser/pdf'))).body.bytes).toBeGreaterThan(100);
      expect((await api.post(sb('/browser/screencast'), { maxFrames: 1 })).body).toContain('frame');
      const tab = await api.post(sb('/browser/tabs'), {});
      expect(tab.status).toBe(201);
      expect((await api.get(sb('/browser/tabs'))).body.tabs).toHaveLength(2);
      expect((await api.post(sb(`/browser/tabs/${tab.body.id}/activate`))).body.active).toBe(true);
      expect((await api.delete(sb(`/browser/tabs/${tab.body.id}`))).body.closed).toBe(true);
      expect((await api.get(sb('/browser/downloads'))).body.downloads).toEqual([]);
      expect((await api.post(sb('/browser/navigate'), { url: 'file:///etc/passwd' })).status).toBe(400);
    },
    SLOW,
  );

  it('web fetch and search', async () => {
    const page = await api.post('/v1/web/fetch', { url: `http://127.0.0.1:${webPort}/` });
    expect(page.body).toMatchObject({ status: 200, title: 't', content: 'hello' });
    expect((await api.post('/v1/web/fetch', { url: 'http://127.0.0.1:1/' })).status).toBe(403);
    expect((await api.post('/v1/web/fetch', { url: 'file:///etc/passwd' })).status).toBe(400);
    expect((await api.post('/v1/web/search', { query: 'x' })).body.results).toEqual([]);
  });

  it(
    'deletes, and every documented operation was answered with a declared success',
    async () => {
      expect((await api.delete(sb())).status).toBe(204);
      expect((await api.delete(sb())).status).toBe(404);
      const missing: string[] = [];
      for (const [path, item] of Object.entries(validator.document.paths)) {
        for (const method of Object.keys(item)) {
          const prefix = `${method.toUpperCase()} ${path} `;
          if (![...validator.seen].some((s) => s.startsWith(prefix) && / 2\d\d$/.test(s))) missing.push(prefix);
        }
      }
      expect(missing).toEqual([]);
    },
    SLOW,
  );
});
