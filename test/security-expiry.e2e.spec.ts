import { readFileSync } from 'node:fs';
import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { HttpClient, readSse, startTestGateway, waitFor, type SseEvent, type TestGateway } from '@sandboxed/testing';
import { shortLivedToken, type ShortLivedToken as Token } from './support/short-lived.token.js';
import { WsTestClient } from './support/ws-test.client.js';

const SECRET = 'test-secret-that-is-at-least-32-bytes-long!';
const ECHO_SERVER = readFileSync(new URL('./fixtures/sandbox-servers/echo-server.py', import.meta.url), 'utf8');
// An HTTP response that never ends: one line every 100 ms.
const STREAM_SERVER = `
import sys, time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
class H(BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'
    def do_GET(self):
        self.send_response(200)
        self.send_header('content-type', 'text/plain')
        self.send_header('transfer-encoding', 'chunked')
        self.end_headers()
        while True:
            self.wfile.write(b'5\\r\\ntick\\n\\r\\n')
            self.wfile.flush()
            time.sleep(0.1)
ThreadingHTTPServer(('127.0.0.1', int(sys.argv[1])), H).serve_forever()
`;
/** Timers may fire a hair before the wall clock agrees; nothing may end earlier than this. */
const SLACK_MS = 50;

const token = (sub: string, lifetimeSeconds: number): Promise<Token> => shortLivedToken(SECRET, sub, lifetimeSeconds);

/** Reads SSE events until the stream ends; `onEvent` may act on each (e.g. note the time). */
async function readAll(res: Response): Promise<Array<SseEvent & { at: number }>> {
  const events: Array<SseEvent & { at: number }> = [];
  for await (const e of readSse(res)) events.push({ ...e, at: Date.now() });
  return events;
}

describe('sessions end when the token expires (issue 8, item 7)', () => {
  let gw: TestGateway;
  let owner: HttpClient;
  let id: string;
  let wsUrl: string;
  const open: WsTestClient[] = [];
  const connect = async (path: string, headers: Record<string, string>): Promise<WsTestClient> => {
    const client = await WsTestClient.connect(`${wsUrl}${path}`, headers);
    open.push(client);
    return client;
  };

  beforeAll(async () => {
    gw = await startTestGateway({
      onlyPlugins: ['runtime-local', 'capability-shell', 'transport-rest'],
      extraPlugins: ['capability-processes', 'capability-terminal', 'capability-ports', 'transport-ws'],
      config: { auth: { jwt: { secret: SECRET, clockToleranceSeconds: 0 } } },
    });
    wsUrl = gw.url.replace('http', 'ws');
    owner = new HttpClient(gw.url, (await token('alice', 600)).bearer);
    id = await owner.createSandbox();
    await owner.post(`/v1/sandboxes/${id}/exec`, { command: 'cat > echo.py', stdin: ECHO_SERVER });
    await owner.post(`/v1/sandboxes/${id}/exec`, { command: 'cat > stream.py', stdin: STREAM_SERVER });
    for (const [script, port] of [
      ['echo.py', 8000],
      ['stream.py', 8001],
    ] as const) {
      const started = await owner.post(`/v1/sandboxes/${id}/processes`, { argv: ['python3', script, String(port)] });
      expect(started.status).toBe(201);
      expect((await owner.post(`/v1/sandboxes/${id}/ports`, { port })).status).toBe(200);
    }
    await waitFor(async () => (await owner.get(`/v1/sandboxes/${id}/ports/8000/`)).status === 200, {
      what: 'the echo server',
    });
  });
  afterAll(async () => {
    for (const c of open) c.ws.terminate();
    await gw?.close();
  });

  it('closes /v1/ws at the token’s exp with 4401 "token expired", and says why first', async () => {
    const t = await token('alice', 3);
    const client = await connect('/v1/ws', t.bearer);
    expect(await client.next((f) => f.ready)).toMatchObject({ principal: 'alice' });
    client.send({ id: 1, op: 'shell.exec', sandboxId: id, input: { command: 'echo ok' } });
    expect((await client.next((f) => f.id === 1)).result.stdout).toBe('ok\n');
    const closed = await client.closed;
    expect(Date.now()).toBeGreaterThanOrEqual(t.expiresAt - SLACK_MS);
    expect(closed).toEqual({ code: 4401, reason: 'token expired' });
    expect(await client.next((f) => f.id === null)).toEqual({
      id: null,
      error: expect.objectContaining({ code: 'unauthorized', message: expect.stringMatching(/expired/) }),
    });
    await expect(WsTestClient.connect(`${wsUrl}/v1/ws`, t.bearer)).rejects.toMatchObject({ status: 401 });
  });

  it('gives a ticket the token’s expiry, and closes its socket then', async () => {
    const t = await token('alice', 3);
    const issued = await new HttpClient(gw.url, t.bearer).post('/v1/ws/ticket');
    expect(issued.status).toBe(201);
    expect(Date.parse(issued.body.expiresAt)).toBeLessThanOrEqual(t.expiresAt);
    const client = await connect('/v1/ws', {});
    client.send({ ticket: issued.body.ticket });
    expect(await client.next((f) => f.ready)).toMatchObject({ principal: 'alice' });
    expect(await client.closed).toEqual({ code: 4401, reason: 'token expired' });
    expect(Date.now()).toBeGreaterThanOrEqual(t.expiresAt - SLACK_MS);
  });

  it('ends an SSE exec stream with a final unauthorized error event and stops the command', async () => {
    const t = await token('alice', 3);
    const res = await fetch(`${gw.url}/v1/sandboxes/${id}/exec/stream`, {
      method: 'POST',
      headers: { ...t.bearer, 'content-type': 'application/json' },
      body: JSON.stringify({ command: 'echo $$ > /workspace/sse.pid; echo started; exec sleep 300' }),
    });
    expect(res.status).toBe(200);
    const events = await readAll(res);
    expect(events[0]).toMatchObject({ event: 'output', data: { data: 'started\n' } });
    const last = events.at(-1)!;
    expect(last).toMatchObject({ event: 'error', data: { error: { code: 'unauthorized' } } });
    expect(last.data.error.message).toMatch(/expired/);
    expect(last.at).toBeGreaterThanOrEqual(t.expiresAt - SLACK_MS);
    await waitFor(
      async () =>
        (
          await owner.post(`/v1/sandboxes/${id}/exec`, {
            command: 'kill -0 "$(cat /workspace/sse.pid)" 2>/dev/null && echo alive || echo gone',
          })
        ).body.stdout === 'gone\n',
      { what: 'the streamed command to be killed' },
    );
  });

  it('ends a process logs stream the same way', async () => {
    const started = await owner.post(`/v1/sandboxes/${id}/processes`, {
      command: 'while :; do echo tick; sleep 0.1; done',
    });
    const t = await token('alice', 3);
    const res = await fetch(`${gw.url}/v1/sandboxes/${id}/processes/${started.body.id}/logs/stream`, {
      headers: t.bearer,
    });
    expect(res.status).toBe(200);
    const events = await readAll(res);
    expect(events[0]).toMatchObject({ event: 'output', data: { data: 'tick\n' } });
    expect(events.at(-1)).toMatchObject({ event: 'error', data: { error: { code: 'unauthorized' } } });
    expect(events.at(-1)!.at).toBeGreaterThanOrEqual(t.expiresAt - SLACK_MS);
    await owner.post(`/v1/sandboxes/${id}/processes/${started.body.id}/kill`, {});
  });

  it('closes a terminal at expiry with an error frame and 4401', async () => {
    const t = await token('alice', 3);
    const term = await connect(`/v1/sandboxes/${id}/terminal`, t.bearer);
    term.send({ type: 'input', data: 'echo $((6*7))\r' });
    await term.next((f) => f.type === 'output' && /42/.test(f.data));
    expect(await term.closed).toEqual({ code: 4401, reason: 'token expired' });
    expect(Date.now()).toBeGreaterThanOrEqual(t.expiresAt - SLACK_MS);
    expect(await term.next((f) => f.type === 'error')).toMatchObject({ error: { code: 'unauthorized' } });
  });

  it('cuts a WebSocket through a port tunnel at expiry', async () => {
    const t = await token('alice', 3);
    const tunnel = await connect(`/v1/sandboxes/${id}/ports/8000/ws`, t.bearer);
    tunnel.send('hello');
    expect(await tunnel.next((f) => f === 'echo:hello')).toBe('echo:hello');
    await tunnel.closed;
    expect(Date.now()).toBeGreaterThanOrEqual(t.expiresAt - SLACK_MS);
  });

  it('cuts a proxied HTTP response that is still streaming at expiry', async () => {
    const t = await token('alice', 3);
    const res = await fetch(`${gw.url}/v1/sandboxes/${id}/ports/8001/`, { headers: t.bearer });
    expect(res.status).toBe(200);
    let text = '';
    const ended = (async () => {
      try {
        for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>)
          text += Buffer.from(chunk).toString();
      } catch {
        // The gateway drops the connection: the body ends in an error.
      }
    })();
    await ended;
    expect(text).toMatch(/^tick\n/);
    expect(Date.now()).toBeGreaterThanOrEqual(t.expiresAt - SLACK_MS);
  });
});
