import { describe, it, expect, beforeAll, afterAll, afterEach } from '@jest/globals';
import { HttpClient, startTestGateway, waitFor, type TestGateway } from '@sandboxed/testing';
import { WsTestClient } from './support/ws-test.client.js';

const ALICE = { 'x-api-key': 'k_alice' };
const BOB = { 'x-api-key': 'k_bob' };
const NO_SANDBOX = 'nosuchsandbox0123456789abcdef';

describe('WebSocket caps per principal and for unauthenticated sockets (issue 8, item 8)', () => {
  let gw: TestGateway;
  let wsUrl: string;
  let open: WsTestClient[] = [];
  const connect = async (headers: Record<string, string>, path = '/v1/ws'): Promise<WsTestClient> => {
    const client = await WsTestClient.connect(`${wsUrl}${path}`, headers);
    open.push(client);
    return client;
  };
  const refusal = async (headers: Record<string, string>, path = '/v1/ws'): Promise<{ status: number; body: any }> => {
    const err = (await connect(headers, path).then(
      (c) => {
        throw new Error(`the upgrade to ${path} was accepted (${c.ws.readyState})`);
      },
      (e: unknown) => e,
    )) as { status?: number; body?: string };
    if (err.status === undefined) throw err as Error;
    return { status: err.status, body: JSON.parse(err.body ?? '{}') };
  };

  beforeAll(async () => {
    gw = await startTestGateway({
      onlyPlugins: ['runtime-local', 'capability-shell', 'transport-rest'],
      extraPlugins: [
        'capability-terminal',
        'capability-ports',
        {
          use: 'transport-ws',
          options: { maxConnectionsPerPrincipal: 3, maxUnauthenticatedConnections: 2, authTimeoutMs: 800 },
        },
      ],
      config: { auth: { apiKeys: { k_alice: 'alice', k_bob: 'bob' } } },
    });
    wsUrl = gw.url.replace('http', 'ws');
  });
  afterEach(async () => {
    for (const c of open) c.ws.terminate();
    await Promise.all(open.map((c) => c.closed));
    open = [];
  });
  afterAll(async () => gw?.close());

  it('refuses a principal’s socket over maxConnectionsPerPrincipal with 429; other principals still connect', async () => {
    const mine = [await connect(ALICE), await connect(ALICE), await connect(ALICE)];
    for (const c of mine) await c.next((f) => f.ready);
    const over = await refusal(ALICE);
    expect(over.status).toBe(429);
    expect(over.body.error).toMatchObject({
      code: 'quota_exceeded',
      message: expect.stringMatching(/maxConnectionsPerPrincipal/),
    });
    // Channels and tunnels count too; the cap holds before anything is opened.
    expect((await refusal(ALICE, `/v1/sandboxes/${NO_SANDBOX}/terminal`)).status).toBe(429);
    expect((await refusal(ALICE, `/v1/sandboxes/${NO_SANDBOX}/ports/8000/ws`)).status).toBe(429);
    const bob = await connect(BOB);
    expect(await bob.next((f) => f.ready)).toMatchObject({ principal: 'bob' });

    mine[0]!.close();
    await mine[0]!.closed;
    const again = await waitFor(() => connect(ALICE), { what: 'a slot freed by the closed socket' });
    expect(await again.next((f) => f.ready)).toMatchObject({ principal: 'alice' });
  });

  it('applies the cap to ticket connections once the ticket names the principal (4429)', async () => {
    for (let i = 0; i < 3; i++) await (await connect(ALICE)).next((f) => f.ready);
    const { ticket } = (await new HttpClient(gw.url, ALICE).post('/v1/ws/ticket')).body;
    const late = await connect({});
    late.send({ ticket });
    expect((await late.next()).error).toMatchObject({ code: 'quota_exceeded' });
    expect((await late.closed).code).toBe(4429);
  });

  it('caps sockets still waiting for their ticket, and closes them soon (authTimeoutMs)', async () => {
    const waiting = [await connect({}), await connect({})];
    const over = await refusal({});
    expect(over.status).toBe(503);
    expect(over.body.error.message).toMatch(/waiting to authenticate/);
    // Callers with credentials are not locked out by them.
    expect(await (await connect(BOB)).next((f) => f.ready)).toMatchObject({ ready: true });
    for (const c of waiting) expect((await c.closed).code).toBe(4401);
    const next = await waitFor(() => connect({}), { what: 'the freed unauthenticated slots' });
    expect((await next.closed).code).toBe(4401);
  });
});
