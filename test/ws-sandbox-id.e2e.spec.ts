import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { HttpClient, startTestGateway, type TestGateway } from '@sandboxed/testing';
import { WsTestClient } from './support/ws-test.client.js';

const ALICE = { authorization: 'Bearer k_alice' };
const BOB = { authorization: 'Bearer k_bob' };
const PLUGINS = {
  onlyPlugins: ['runtime-local', 'capability-shell', 'transport-rest'],
  extraPlugins: ['capability-processes', 'capability-terminal', 'transport-ws'],
};

/** `sandboxId` plays the role of the sandbox `{id}` in REST paths, for every operation that has one. */
describe('/v1/ws: sandboxId addresses the sandbox of every sandbox operation', () => {
  let gw: TestGateway;
  let alice: HttpClient;
  let wsUrl: string;
  const open: WsTestClient[] = [];
  const ready = async (headers: Record<string, string>): Promise<WsTestClient> => {
    const client = await WsTestClient.connect(`${wsUrl}/v1/ws`, headers);
    open.push(client);
    expect(await client.next((f) => f.ready)).toMatchObject({ ready: true });
    return client;
  };
  let seq = 0;
  const call = async (client: WsTestClient, frame: Record<string, unknown>): Promise<any> => {
    const id = ++seq;
    client.send({ id, ...frame });
    return client.next((f) => f.id === id);
  };

  beforeAll(async () => {
    gw = await startTestGateway({ ...PLUGINS, config: { auth: { apiKeys: { k_alice: 'alice', k_bob: 'bob' } } } });
    alice = new HttpClient(gw.url, ALICE);
    wsUrl = gw.url.replace('http', 'ws');
  });
  afterAll(async () => {
    for (const c of open) c.ws.terminate();
    await gw?.close();
  });

  it('sandbox.get and sandbox.delete take sandboxId, as the documentation says', async () => {
    const sandbox = await alice.createSandbox({ labels: { via: 'ws' } });
    const ws = await ready(ALICE);
    expect(await call(ws, { op: 'sandbox.get', sandboxId: sandbox })).toMatchObject({
      result: { id: sandbox, labels: { via: 'ws' } },
    });
    // input.id keeps working, and agreeing with sandboxId is fine; disagreeing is a clear 400.
    expect((await call(ws, { op: 'sandbox.get', input: { id: sandbox } })).result.id).toBe(sandbox);
    expect((await call(ws, { op: 'sandbox.get', sandboxId: sandbox, input: { id: sandbox } })).result.id).toBe(sandbox);
    const clash = await call(ws, { op: 'sandbox.get', sandboxId: sandbox, input: { id: 'f'.repeat(32) } });
    expect(clash.error).toMatchObject({ code: 'invalid_argument', message: expect.stringMatching(/sandboxId/) });

    const bob = await ready(BOB);
    expect((await call(bob, { op: 'sandbox.get', sandboxId: sandbox })).error.code).toBe('not_found');
    expect((await call(bob, { op: 'sandbox.delete', sandboxId: sandbox })).error.code).toBe('not_found');

    expect(await call(ws, { op: 'sandbox.delete', sandboxId: sandbox })).toEqual({ id: seq, result: null });
    expect((await call(ws, { op: 'sandbox.get', sandboxId: sandbox })).error.code).toBe('not_found');
    expect((await alice.get(`/v1/sandboxes/${sandbox}`)).status).toBe(404);
  });

  it('works for the operations that act in a sandbox, and names sandboxId when it is missing', async () => {
    const sandbox = await alice.createSandbox();
    const ws = await ready(ALICE);
    const exec = await call(ws, { op: 'shell.exec', sandboxId: sandbox, input: { command: 'echo in-$PWD' } });
    expect(exec.result.stdout).toBe('in-/workspace\n');
    const stream = await call(ws, {
      op: 'shell.execStream',
      sandboxId: sandbox,
      input: { command: 'echo s' },
      stream: true,
    });
    expect(stream).toMatchObject({ event: { type: 'output', data: 's\n' } });
    const started = await call(ws, { op: 'process.start', sandboxId: sandbox, input: { argv: ['sleep', '300'] } });
    expect(started).toMatchObject({ result: { status: 'running' } });
    const processId = started.result.id as string;
    expect((await call(ws, { op: 'process.get', sandboxId: sandbox, input: { processId } })).result.status).toBe(
      'running',
    );
    expect((await call(ws, { op: 'process.kill', sandboxId: sandbox, input: { processId } })).result.status).toBe(
      'killed',
    );
    const missing = await call(ws, { op: 'shell.exec', input: { command: 'true' } });
    expect(missing.error).toMatchObject({ code: 'invalid_argument', message: expect.stringMatching(/sandboxId/) });
    expect((await call(ws, { op: 'sandbox.get' })).error).toMatchObject({
      code: 'invalid_argument',
      message: expect.stringMatching(/sandboxId/),
    });
  });

  it('refuses sandboxId on an operation that acts in no sandbox, instead of ignoring it', async () => {
    const ws = await ready(ALICE);
    const refused = await call(ws, { op: 'sandbox.list', sandboxId: 'f'.repeat(32) });
    expect(refused.error).toMatchObject({
      code: 'invalid_argument',
      message: expect.stringMatching(/sandbox\.list.*sandboxId/),
    });
  });
});

describe('/v1/ws in dev mode: a browser that sends the ticket frame first', () => {
  let gw: TestGateway;
  const open: WsTestClient[] = [];
  beforeAll(async () => {
    gw = await startTestGateway(PLUGINS);
  });
  afterAll(async () => {
    for (const c of open) c.ws.terminate();
    await gw?.close();
  });

  for (const path of ['/v1/ws']) {
    it(`${path}: the ticket frame is accepted and ignored, and calls then work`, async () => {
      const api = new HttpClient(gw.url);
      const ticket = await api.post('/v1/ws/ticket');
      expect(ticket.status).toBe(201);
      const client = await WsTestClient.connect(`${gw.url.replace('http', 'ws')}${path}`);
      open.push(client);
      client.send({ ticket: ticket.body.ticket });
      client.send({ id: 1, op: 'sandbox.list' });
      expect(await client.next((f) => f.id === 1)).toMatchObject({ id: 1, result: { count: 0 } });
      const frames = [await client.next((f) => f.ready, 1000)];
      expect(frames).toEqual([{ ready: true, principal: 'local' }]);
      // Nothing else came: no error frame for the ticket.
      client.send({ id: 2, op: 'sandbox.list' });
      expect(await client.next()).toMatchObject({ id: 2, result: { count: 0 } });
    });
  }

  it('the terminal: the ticket frame is accepted and ignored, and keystrokes then reach the shell', async () => {
    const api = new HttpClient(gw.url);
    const sandbox = await api.createSandbox();
    const { ticket } = (await api.post('/v1/ws/ticket')).body;
    const term = await WsTestClient.connect(`${gw.url.replace('http', 'ws')}/v1/sandboxes/${sandbox}/terminal`);
    open.push(term);
    term.send({ ticket });
    term.send({ type: 'input', data: 'echo $((6*7))\r' });
    let printed = '';
    while (!/^42\r?$/m.test(printed)) {
      const frame = await term.next();
      expect(frame).toMatchObject({ type: 'output' });
      printed += frame.data;
    }
    term.ws.close();
    await term.closed;
    expect((await api.delete(`/v1/sandboxes/${sandbox}`)).status).toBe(204);
  });

  it('ignores only a first frame that is exactly a ticket', async () => {
    const client = await WsTestClient.connect(`${gw.url.replace('http', 'ws')}/v1/ws`);
    open.push(client);
    expect(await client.next((f) => f.ready)).toMatchObject({ ready: true });
    client.send({ ticket: 'x', id: 1 });
    expect((await client.next((f) => f.id === 1)).error.code).toBe('invalid_argument');
    client.send({ ticket: 'late' });
    expect((await client.next((f) => f.id === null)).error.code).toBe('invalid_argument');
  });
});
