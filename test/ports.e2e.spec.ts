import { readFileSync, rmSync } from 'node:fs';
import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { LOCAL_IMAGES } from '@sandboxed/plugin-sdk';
import { HttpClient, startTestGateway, waitFor, type TestGateway } from '@sandboxed/testing';
import { WsTestClient } from './support/ws-test.client.js';
import { describeWithDocker, dockerUnavailableReason } from './support/docker-engine.support.js';
import { kubeTarget } from './support/kube-fake.support.js';

const ECHO_SERVER = readFileSync(new URL('./fixtures/sandbox-servers/echo-server.py', import.meta.url), 'utf8');
const ALICE = { authorization: 'Bearer k_alice' };
const BOB = { authorization: 'Bearer k_bob' };

type PluginEntry = string | { use: string; options?: Record<string, unknown> };

interface RuntimeSetup {
  plugins: PluginEntry[];
  config: Record<string, unknown>;
  sandbox: Record<string, unknown>;
  /** The runtime plugin of a second gateway on the same engine (local: the same data dir). */
  replica?: PluginEntry;
}

const portsSuite = (setup: RuntimeSetup) => () => {
  let gw: TestGateway;
  let alice: HttpClient;
  let bob: HttpClient;
  let id: string;
  const proxy = (port: number, rest = '') => `/v1/sandboxes/${id}/ports/${port}/${rest}`;

  beforeAll(async () => {
    gw = await startTestGateway({
      onlyPlugins: ['runtime-local', 'capability-shell', 'transport-rest'],
      extraPlugins: [...setup.plugins, 'capability-processes', 'capability-ports', 'transport-ws'],
      config: { auth: { apiKeys: { k_alice: 'alice', k_bob: 'bob' } }, ...setup.config },
    });
    alice = new HttpClient(gw.url, ALICE);
    bob = new HttpClient(gw.url, BOB);
    id = await alice.createSandbox(setup.sandbox);
    await alice.post(`/v1/sandboxes/${id}/exec`, { command: 'cat > server.py', stdin: ECHO_SERVER });
    const started = await alice.post(`/v1/sandboxes/${id}/processes`, { argv: ['python3', 'server.py', '8000'] });
    expect(started.status).toBe(201);
    await waitFor(
      async () =>
        (await alice.get(`/v1/sandboxes/${id}/processes/${started.body.id}/logs`)).body.lines?.[0]?.text === 'ready',
      {
        what: 'the echo server',
      },
    );
  });
  afterAll(async () => gw?.close());

  it('reaches nothing before the port is exposed', async () => {
    const res = await alice.get(proxy(8000, 'anything'));
    expect(res.status).toBe(404);
    expect(res.body.error).toMatchObject({ code: 'not_found', message: expect.stringMatching(/not exposed/) });
  });

  it('exposes a port, lists it, and proxies HTTP to it without leaking the gateway credentials', async () => {
    const exposed = await alice.post(`/v1/sandboxes/${id}/ports`, { port: 8000 });
    expect(exposed.status).toBe(200);
    expect(exposed.body).toEqual({ port: 8000, url: proxy(8000) });
    expect((await alice.get(`/v1/sandboxes/${id}/ports`)).body).toEqual({ ports: [{ port: 8000, url: proxy(8000) }] });
    expect((await alice.get(`/v1/sandboxes/${id}/ports?port=8001`)).body).toEqual({ ports: [] });

    const res = await fetch(`${gw.url}${proxy(8000, 'echo/a?x=1&y=%20z')}`, {
      method: 'POST',
      headers: { ...ALICE, 'x-api-key': 'k_alice', 'content-type': 'application/json', 'x-custom': 'kept' },
      body: '{"hello":"sandbox"}',
    });
    expect(res.status).toBe(200);
    const echo = (await res.json()) as { path: string; body: string; headers: Record<string, string> };
    expect(echo.path).toBe('/echo/a?x=1&y=%20z');
    expect(echo.body).toBe('{"hello":"sandbox"}');
    expect(echo.headers['x-custom']).toBe('kept');
    expect(echo.headers['x-forwarded-prefix']).toBe(`/v1/sandboxes/${id}/ports/8000`);
    expect(echo.headers.authorization).toBeUndefined();
    expect(echo.headers['x-api-key']).toBeUndefined();

    // Bodies pass through untouched whatever their type, or none.
    const raw = await fetch(`${gw.url}${proxy(8000, 'raw')}`, {
      method: 'POST',
      headers: ALICE,
      body: new Uint8Array([104, 105]),
    });
    expect(raw.status).toBe(200);
    expect(((await raw.json()) as { body: string; headers: Record<string, string> }).body).toBe('hi');
    const form = await fetch(`${gw.url}${proxy(8000, 'form')}`, {
      method: 'POST',
      headers: { ...ALICE, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'a=1&b=2',
    });
    expect(((await form.json()) as { body: string }).body).toBe('a=1&b=2');
  });

  it('keeps redirects under the proxy prefix and adds the trailing slash', async () => {
    const redirect = await fetch(`${gw.url}${proxy(8000, 'redirect')}`, { headers: ALICE, redirect: 'manual' });
    expect(redirect.status).toBe(302);
    expect(redirect.headers.get('location')).toBe(`/v1/sandboxes/${id}/ports/8000/landed`);
    const bare = await fetch(`${gw.url}/v1/sandboxes/${id}/ports/8000?q=1`, { headers: ALICE, redirect: 'manual' });
    expect(bare.status).toBe(308);
    expect(bare.headers.get('location')).toBe(`/v1/sandboxes/${id}/ports/8000/?q=1`);
  });

  it('needs the same credentials as every route, and hides other tenants’ sandboxes', async () => {
    expect((await fetch(`${gw.url}${proxy(8000)}`)).status).toBe(401);
    const other = await bob.get(proxy(8000));
    expect(other.status).toBe(404);
    expect(other.body.error.code).toBe('not_found');
    expect((await bob.post(`/v1/sandboxes/${id}/ports`, { port: 8001 })).status).toBe(404);
  });

  it('proxies WebSockets to the exposed port', async () => {
    const wsUrl = `${gw.url.replace('http', 'ws')}${proxy(8000, 'socket')}`;
    const client = await WsTestClient.connect(wsUrl, ALICE);
    client.send('hi there');
    expect(await client.next()).toBe('echo:hi there');
    client.send('x'.repeat(300));
    expect(await client.next()).toBe(`echo:${'x'.repeat(300)}`);
    client.close();
    await expect(WsTestClient.connect(wsUrl, BOB)).rejects.toMatchObject({ status: 404 });
    await expect(WsTestClient.connect(wsUrl)).rejects.toMatchObject({ status: 401 });
  });

  it('answers 502 when nothing listens on an exposed port', async () => {
    await alice.post(`/v1/sandboxes/${id}/ports`, { port: 8009 });
    const res = await alice.get(proxy(8009));
    expect(res.status).toBe(502);
    expect(res.body.error.code).toBe('unavailable');
  });

  it('keeps exposure inside the sandbox, so a second gateway on the same engine agrees', async () => {
    const replica = await startTestGateway({
      onlyPlugins: ['capability-shell', 'transport-rest'],
      extraPlugins: [
        setup.replica ?? { use: 'runtime-local', options: { dataDir: gw.dataDir } },
        'capability-ports',
        'transport-ws',
      ],
      config: { auth: { apiKeys: { k_alice: 'alice' } }, ...setup.config },
    });
    try {
      const other = new HttpClient(replica.url, ALICE);
      expect((await other.get(`/v1/sandboxes/${id}/ports`)).body.ports.map((p: { port: number }) => p.port)).toEqual([
        8000, 8009,
      ]);
      const res = await other.post(proxy(8000, 'x'), {});
      expect({ status: res.status, error: res.body?.error }).toEqual({ status: 200, error: undefined });
    } finally {
      // Close the replica without destroying the shared sandboxes.
      await replica.app.close();
      rmSync(replica.dataDir, { recursive: true, force: true });
    }
  });

  it('unexposes: the URL answers 404 again', async () => {
    expect((await alice.delete(`/v1/sandboxes/${id}/ports/8000`)).status).toBe(204);
    expect((await alice.get(proxy(8000))).status).toBe(404);
    expect((await alice.delete(`/v1/sandboxes/${id}/ports/8000`)).status).toBe(404);
    expect((await alice.get(`/v1/sandboxes/${id}/ports`)).body.ports.map((p: { port: number }) => p.port)).toEqual([
      8009,
    ]);
    expect((await alice.post(`/v1/sandboxes/${id}/ports`, { port: 70000 })).status).toBe(400);
  });
};

describe('port exposure through the gateway (local runtime)', portsSuite({ plugins: [], config: {}, sandbox: {} }));

describeWithDocker(
  'port exposure through the gateway (docker runtime)',
  await dockerUnavailableReason([LOCAL_IMAGES.python]),
  portsSuite({
    plugins: ['runtime-docker'],
    config: { runtime: { default: 'docker' } },
    sandbox: { template: 'python' },
    replica: 'runtime-docker',
  }),
);

const kube = await kubeTarget([LOCAL_IMAGES.python]);
describeWithDocker(
  'port exposure through the gateway (kubernetes runtime, fake API server)',
  kube.unavailable,
  portsSuite({
    plugins: [kube.plugin],
    config: { runtime: { default: 'kubernetes' } },
    sandbox: { template: 'python' },
    replica: kube.plugin,
  }),
);
