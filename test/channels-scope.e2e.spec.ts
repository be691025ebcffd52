import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { SignJWT } from 'jose';
import { HttpClient, startTestGateway, type TestGateway } from '@sandboxed/testing';
import { WsTestClient } from './support/ws-test.client.js';

const SECRET = 'channels-test-secret-of-at-least-32-bytes';
const token = (scope: string) =>
  new SignJWT({ sub: 'alice', scope })
    .setProtectedHeader({ alg: 'HS256' })
    .setExpirationTime('5m')
    .sign(new TextEncoder().encode(SECRET));

describe('scopes on channels, tunnels and /v1/ws (JWT)', () => {
  let gw: TestGateway;
  let writer: Record<string, string>;
  let reader: Record<string, string>;
  let id: string;

  beforeAll(async () => {
    gw = await startTestGateway({
      onlyPlugins: ['runtime-local', 'transport-rest'],
      extraPlugins: ['capability-terminal', 'capability-ports', 'transport-ws'],
      config: { auth: { jwt: { secret: SECRET } } },
    });
    writer = { authorization: `Bearer ${await token('sandbox:read sandbox:write')}` };
    reader = { authorization: `Bearer ${await token('sandbox:read')}` };
    const api = new HttpClient(gw.url, writer);
    id = await api.createSandbox();
    expect((await api.post(`/v1/sandboxes/${id}/ports`, { port: 8000 })).status).toBe(200);
  });
  afterAll(async () => gw?.close());

  it('lets a read-only token read, but not open a terminal or reach a port', async () => {
    const ws = gw.url.replace('http', 'ws');
    await expect(WsTestClient.connect(`${ws}/v1/sandboxes/${id}/terminal`, reader)).rejects.toMatchObject({
      status: 403,
    });
    const proxied = await new HttpClient(gw.url, reader).get(`/v1/sandboxes/${id}/ports/8000/`);
    expect(proxied.status).toBe(403);
    expect(proxied.body.error.code).toBe('forbidden');
    expect((await new HttpClient(gw.url, reader).get(`/v1/sandboxes/${id}/ports`)).status).toBe(200);

    const rpc = await WsTestClient.connect(`${ws}/v1/ws`, reader);
    await rpc.next((f) => f.ready);
    rpc.send({ id: 1, op: 'port.list', sandboxId: id });
    expect((await rpc.next((f) => f.id === 1)).result.ports).toHaveLength(1);
    rpc.send({ id: 2, op: 'port.expose', sandboxId: id, input: { port: 9000 } });
    expect((await rpc.next((f) => f.id === 2)).error.code).toBe('forbidden');
    rpc.close();

    const term = await WsTestClient.connect(`${ws}/v1/sandboxes/${id}/terminal`, writer);
    term.send({ type: 'input', data: 'exit 0\r' });
    expect(await term.next((f) => f.type === 'exit')).toMatchObject({ exitCode: 0 });
  });

  it('takes a ticket’s scopes from the token it was issued for', async () => {
    const { ticket } = (await new HttpClient(gw.url, reader).post('/v1/ws/ticket')).body;
    const term = await WsTestClient.connect(`${gw.url.replace('http', 'ws')}/v1/sandboxes/${id}/terminal`);
    term.send({ ticket });
    expect(await term.next()).toMatchObject({ type: 'error', error: { code: 'forbidden' } });
    expect((await term.closed).code).toBe(4403);
  });
});
