import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { createGateway, loadConfig, type Gateway } from '@sandboxed/kernel';
import { RUNTIME_REGISTRY, type RuntimeRegistry } from '@sandboxed/plugin-sdk';
import { HttpClient, readSse, startTestGateway, waitFor, type TestGateway } from '@sandboxed/testing';

const CORE = ['runtime-local', 'capability-shell', 'capability-files', 'transport-rest'];

/** A gateway on a given local data dir, so a second one can take over the first one's sandboxes. */
async function gatewayOn(dataDir: string): Promise<Gateway> {
  const config = loadConfig({
    env: {},
    overrides: {
      server: { port: 0 },
      log: { level: 'warn' },
      plugins: CORE.map((use) => (use === 'runtime-local' ? { use, options: { dataDir } } : { use })),
    },
  });
  return createGateway({ config, version: '0.0.0-test' });
}

describe('sandbox lifecycle', () => {
  let gw: TestGateway;
  let api: HttpClient;
  beforeAll(async () => {
    gw = await startTestGateway({
      onlyPlugins: CORE,
      config: { sandbox: { reapIntervalSeconds: 1, maxPerOwner: 3 } },
    });
    api = new HttpClient(gw.url);
  });
  afterAll(async () => gw?.close());

  it('gives every sandbox a distinct 128-bit id', async () => {
    const a = await api.createSandbox();
    const b = await api.createSandbox();
    expect(a).toMatch(/^[0-9a-f]{32}$/);
    expect(b).not.toBe(a);
    await api.delete(`/v1/sandboxes/${a}`);
    await api.delete(`/v1/sandboxes/${b}`);
  });

  it('hides an expired sandbox at once and the reaper destroys it', async () => {
    const created = await api.post('/v1/sandboxes', { ttlSeconds: 1 });
    expect(created.status).toBe(201);
    const id: string = created.body.id;
    expect(new Date(created.body.expiresAt).getTime() - new Date(created.body.createdAt).getTime()).toBeLessThanOrEqual(
      1500,
    );
    const runtime = gw.app.get<RuntimeRegistry>(RUNTIME_REGISTRY).get('local')!;
    expect(await runtime.get(id)).toBeDefined();
    await waitFor(async () => (await api.get(`/v1/sandboxes/${id}`)).status === 404, {
      what: 'expiry',
      timeoutMs: 5000,
    });
    await waitFor(async () => (await runtime.get(id)) === undefined, { what: 'the reaper', timeoutMs: 10_000 });
  });

  it('enforces the per-owner quota with 429', async () => {
    const ids = [await api.createSandbox(), await api.createSandbox(), await api.createSandbox()];
    const over = await api.post('/v1/sandboxes', {});
    expect(over.status).toBe(429);
    expect(over.body.error.code).toBe('quota_exceeded');
    for (const id of ids) expect((await api.delete(`/v1/sandboxes/${id}`)).status).toBe(204);
    expect((await api.post('/v1/sandboxes', {})).status).toBe(201);
  });
});

describe('a restarted gateway', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'sandboxed-restart-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('lists and uses the sandboxes of the one before it', async () => {
    const first = await gatewayOn(dataDir);
    const a = new HttpClient(first.url);
    const id = await a.createSandbox({ labels: { keep: 'yes' } });
    await a.post(`/v1/sandboxes/${id}/files/write`, { path: 'state.txt', content: 'survives' });
    await first.close();

    const second = await gatewayOn(dataDir);
    try {
      const b = new HttpClient(second.url);
      const list = await b.get('/v1/sandboxes?labels=keep=yes');
      expect(list.body.sandboxes.map((s: { id: string }) => s.id)).toEqual([id]);
      expect((await b.post(`/v1/sandboxes/${id}/files/read`, { path: 'state.txt' })).body.content).toBe('survives');
      expect((await b.post(`/v1/sandboxes/${id}/exec`, { command: 'cat state.txt' })).body.stdout).toBe('survives');
      expect((await b.delete(`/v1/sandboxes/${id}`)).status).toBe(204);
    } finally {
      await second.close();
    }
  });
});

describe('shutdown', () => {
  it('completes within the grace period while a client holds an endless stream open', async () => {
    const gw = await startTestGateway({ onlyPlugins: ['runtime-local', 'capability-shell', 'transport-rest'] });
    const api = new HttpClient(gw.url);
    const id = await api.createSandbox();
    const res = await fetch(`${gw.url}/v1/sandboxes/${id}/exec/stream`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ command: 'echo started; exec sleep 300' }),
    });
    const events = readSse(res);
    expect((await events.next()).value).toMatchObject({ event: 'output', data: { data: 'started\n' } });
    const drained = (async () => {
      for await (const _ of events) void _;
    })().catch(() => undefined);
    const runtime = gw.app.get<RuntimeRegistry>(RUNTIME_REGISTRY).get('local')!;
    // The app alone, with the sandbox (and its endless command) still alive.
    await gw.app.close();
    await drained;
    await runtime.destroy(id);
    rmSync(gw.dataDir, { recursive: true, force: true });
  }, 30_000);
});
