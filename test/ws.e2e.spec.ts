import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { HttpClient, startTestGateway, waitFor, type TestGateway } from '@sandboxed/testing';
import { WsConnections } from '@sandboxed/transport-ws';
import WebSocket from 'ws';
import { WsTestClient } from './support/ws-test.client.js';

const ALICE = { authorization: 'Bearer k_alice' };
const BOB = { authorization: 'Bearer k_bob' };

describe('WebSocket API /v1/ws', () => {
  let gw: TestGateway;
  let alice: HttpClient;
  let wsUrl: string;
  let sandbox: string;
  const open: WsTestClient[] = [];
  const connect = async (headers: Record<string, string> = ALICE, path = '/v1/ws'): Promise<WsTestClient> => {
    const client = await WsTestClient.connect(`${wsUrl}${path}`, headers);
    open.push(client);
    return client;
  };
  const ready = async (headers: Record<string, string> = ALICE): Promise<WsTestClient> => {
    const client = await connect(headers);
    expect(await client.next((f) => f.ready)).toMatchObject({ ready: true });
    return client;
  };

  beforeAll(async () => {
    gw = await startTestGateway({
      onlyPlugins: ['runtime-local', 'capability-shell', 'transport-rest'],
      extraPlugins: [
        'capability-processes',
        {
          use: 'transport-ws',
          options: {
            maxPayloadBytes: 65536,
            maxSubscriptions: 2,
            pingIntervalMs: 300,
            maxBufferedBytes: 262144,
            stallTimeoutMs: 1000,
            authTimeoutMs: 1500,
          },
        },
      ],
      config: {
        auth: { apiKeys: { k_alice: 'alice', k_bob: 'bob' } },
        limits: { exec: { maxOutputBytes: 64 * 1024 * 1024 } },
      },
    });
    alice = new HttpClient(gw.url, ALICE);
    wsUrl = gw.url.replace('http', 'ws');
    sandbox = await alice.createSandbox();
  });
  afterAll(async () => {
    for (const c of open) c.ws.terminate();
    await gw?.close();
  });

  describe('authentication', () => {
    it('rejects a connection that brings no credentials and no ticket', async () => {
      const client = await connect({});
      client.send({ id: 1, op: 'sandbox.list' });
      expect(await client.next()).toEqual({ id: null, error: expect.objectContaining({ code: 'unauthorized' }) });
      expect((await client.closed).code).toBe(4401);
      const silent = await connect({});
      expect((await silent.closed).code).toBe(4401);
    });

    it('refuses bad credentials at the upgrade with 401', async () => {
      await expect(WsTestClient.connect(`${wsUrl}/v1/ws`, { authorization: 'Bearer wrong' })).rejects.toMatchObject({
        status: 401,
      });
      await expect(WsTestClient.connect(`${wsUrl}/v1/ws`, { 'x-api-key': 'wrong' })).rejects.toMatchObject({
        status: 401,
      });
    });

    it('never takes a token from the query string', async () => {
      for (const query of [
        'token=k_alice',
        'access_token=k_alice',
        'api_key=k_alice',
        'authorization=Bearer%20k_alice',
      ]) {
        const client = await connect({}, `/v1/ws?${query}`);
        client.send({ id: 1, op: 'sandbox.list' });
        expect((await client.next()).error.code).toBe('unauthorized');
        expect((await client.closed).code).toBe(4401);
      }
    });

    it('accepts a single-use ticket from POST /v1/ws/ticket as the first frame', async () => {
      expect((await fetch(`${gw.url}/v1/ws/ticket`, { method: 'POST' })).status).toBe(401);
      const issued = await alice.post('/v1/ws/ticket');
      expect(issued.status).toBe(201);
      expect(issued.body).toEqual({ ticket: expect.any(String), expiresAt: expect.any(String) });
      expect(Date.parse(issued.body.expiresAt)).toBeGreaterThan(Date.now());

      const first = await connect({});
      first.send({ ticket: issued.body.ticket });
      // A call sent right behind the ticket is not lost while the ticket is checked.
      first.send({ id: 'list', op: 'sandbox.list' });
      expect(await first.next()).toEqual({ ready: true, principal: 'alice' });
      expect((await first.next((f) => f.id === 'list')).result.sandboxes.map((s: { id: string }) => s.id)).toContain(
        sandbox,
      );

      const reused = await connect({});
      reused.send({ ticket: issued.body.ticket });
      expect((await reused.next()).error).toMatchObject({
        code: 'unauthorized',
        message: expect.stringMatching(/already used/),
      });
      expect((await reused.closed).code).toBe(4401);

      const forged = await connect({});
      const [body] = issued.body.ticket.split('.');
      forged.send({ ticket: `${body}.${'A'.repeat(43)}` });
      expect((await forged.next()).error.code).toBe('unauthorized');
      expect((await forged.closed).code).toBe(4401);
    });
  });

  describe('operations', () => {
    it('invokes any operation and answers with the same id', async () => {
      const client = await ready();
      client.send({ id: 'a', op: 'shell.exec', sandboxId: sandbox, input: { command: 'echo hi; exit 3' } });
      expect(await client.next((f) => f.id === 'a')).toEqual({
        id: 'a',
        result: expect.objectContaining({ stdout: 'hi\n', exitCode: 3 }),
      });
      client.send({ id: 7, op: 'sandbox.get', sandboxId: sandbox });
      expect((await client.next((f) => f.id === 7)).result).toMatchObject({ id: sandbox });
      client.send({ id: 6, op: 'sandbox.get' });
      expect((await client.next((f) => f.id === 6)).error).toMatchObject({ code: 'invalid_argument' });
      client.send({ id: 8, op: 'no.such', input: {} });
      expect((await client.next((f) => f.id === 8)).error.code).toBe('not_found');
      client.send({ id: 9, op: 'shell.exec', sandboxId: sandbox, input: { command: 'x', bogus: 1 } });
      expect((await client.next((f) => f.id === 9)).error).toMatchObject({
        code: 'invalid_argument',
        details: expect.anything(),
      });
      client.send({ op: 'sandbox.list' });
      expect(await client.next((f) => f.id === null)).toEqual({
        id: null,
        error: expect.objectContaining({ code: 'invalid_argument' }),
      });
      client.send('not json');
      expect((await client.next((f) => f.id === null)).error.message).toMatch(/JSON/);
      client.ws.send(Buffer.from([1, 2, 3]), { binary: true });
      expect((await client.next((f) => f.id === null)).error.message).toMatch(/text frames/);
    });

    it('shows another tenant’s sandbox as not found', async () => {
      const bob = await ready(BOB);
      bob.send({ id: 1, op: 'shell.exec', sandboxId: sandbox, input: { command: 'id' } });
      expect((await bob.next((f) => f.id === 1)).error.code).toBe('not_found');
      bob.send({ id: 2, op: 'process.list', sandboxId: sandbox, input: {} });
      expect((await bob.next((f) => f.id === 2)).error.code).toBe('not_found');
      bob.send({ id: 3, op: 'shell.execStream', sandboxId: sandbox, input: { command: 'id' }, stream: true });
      expect((await bob.next((f) => f.id === 3)).error.code).toBe('not_found');
    });

    it('streams events, then end; the same event shapes as SSE', async () => {
      const client = await ready();
      client.send({
        id: 's',
        op: 'shell.execStream',
        sandboxId: sandbox,
        input: { command: 'echo one; echo two >&2; exit 4' },
        stream: true,
      });
      const frames = await client.collect('s');
      const events = frames.filter((f) => f.event).map((f) => f.event);
      expect(
        events
          .filter((e) => e.type === 'output')
          .map((e) => `${e.stream}:${e.data}`)
          .sort(),
      ).toEqual(['stderr:two\n', 'stdout:one\n']);
      expect(events.at(-1)).toEqual({ type: 'exit', exitCode: 4, timedOut: false });
      expect(frames.at(-1)).toEqual({ id: 's', end: true });
    });

    it('cancels a subscription and stops its work', async () => {
      const client = await ready();
      client.send({
        id: 'c',
        op: 'shell.execStream',
        sandboxId: sandbox,
        input: { command: 'echo $$ > /workspace/ws-cancel.pid; echo started; exec sleep 300' },
        stream: true,
      });
      expect((await client.next((f) => f.id === 'c')).event).toMatchObject({ type: 'output', data: 'started\n' });
      client.send({ id: 'c', cancel: true });
      expect(await client.next((f) => f.id === 'c' && f.end)).toEqual({ id: 'c', end: true, cancelled: true });
      await waitFor(
        async () =>
          (
            await alice.post(`/v1/sandboxes/${sandbox}/exec`, {
              command: 'kill -0 "$(cat /workspace/ws-cancel.pid)" 2>/dev/null && echo alive || echo gone',
            })
          ).body.stdout === 'gone\n',
        { what: 'the cancelled command to be killed' },
      );
      client.send({ id: 'nothing', cancel: true });
      expect((await client.next((f) => f.id === 'nothing')).error.code).toBe('not_found');
    });

    it('caps subscriptions per connection and refuses a reused id', async () => {
      const client = await ready();
      const long = (id: string) =>
        client.send({
          id,
          op: 'shell.execStream',
          sandboxId: sandbox,
          input: { command: 'echo go; exec sleep 300' },
          stream: true,
        });
      long('1');
      long('2');
      await client.next((f) => f.id === '1' && f.event);
      await client.next((f) => f.id === '2' && f.event);
      long('2');
      expect((await client.next((f) => f.id === '2' && f.error)).error.code).toBe('conflict');
      long('3');
      expect((await client.next((f) => f.id === '3')).error).toMatchObject({ code: 'limit_exceeded' });
      client.send({ id: '1', cancel: true });
      await client.next((f) => f.id === '1' && f.end);
      long('4');
      expect((await client.next((f) => f.id === '4')).event).toMatchObject({ type: 'output' });
    });
  });

  describe('limits', () => {
    it('closes the socket on a frame larger than maxPayload', async () => {
      const client = await ready();
      client.send({ id: 1, op: 'sandbox.list', input: { pad: 'x'.repeat(70_000) } });
      expect((await client.closed).code).toBe(1009);
    });

    it('pings, and drops a peer that stops answering', async () => {
      const client = await ready();
      await new Promise<void>((resolve) => client.ws.once('ping', () => resolve()));
      const mute = new WebSocket(`${wsUrl}/v1/ws`, { headers: ALICE, autoPong: false });
      const closed = new Promise<number>((resolve) => mute.once('close', (code) => resolve(code)));
      expect(await closed).toBe(1006);
    });

    it('drops a reader that does not keep up, before its backlog passes the bound', async () => {
      const connections = gw.app.get(WsConnections, { strict: false });
      const before = connections.droppedSlowReaders;
      const client = await ready();
      client.ws.pause();
      client.send({
        id: 'flood',
        op: 'shell.execStream',
        sandboxId: sandbox,
        input: { command: "head -c 60000000 /dev/zero | tr '\\0' a" },
        stream: true,
      });
      await waitFor(() => connections.droppedSlowReaders > before, {
        what: 'the slow reader to be dropped',
        timeoutMs: 30_000,
      });
      client.ws.resume();
      expect((await client.closed).code).toBe(1006);
      await waitFor(
        async () =>
          (
            await alice.post(`/v1/sandboxes/${sandbox}/exec`, {
              command: 'ps -eo args | grep -c "^head -c 60000000" || true',
            })
          ).body.stdout.trim() === '0',
        { what: 'the flood to be killed' },
      );
    });
  });
});
