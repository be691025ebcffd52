import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from '@jest/globals';
import type { PoolMember } from '@sandboxed/plugin-sdk';
import { LocalRuntime } from '@sandboxed/runtime-local';
import { HttpClient, startTestGateway, waitFor, type TestGateway } from '@sandboxed/testing';
import { spawnGateway, type GatewayProcess } from './support/gateway.process.js';
import { claimMarker, expectClaimedAsCreated } from './support/warm-pool.support.js';

/**
 * Issue 12, item 2 on the local runtime: warm pools whose members are sandbox directories in one
 * data dir, claimed by a rename(2) (plugins/runtime-local/src/local-pool.driver.ts). Two gateways
 * here share a data dir the way two replicas share an engine.
 */
const SLOW = 180_000;
const TEMPLATE = 'base';
const quiet = { warn: () => undefined };

function principal(tag: string): { key: string; id: string } {
  return { key: `sk_${tag}_${randomBytes(12).toString('hex')}`, id: `${tag}-${randomBytes(4).toString('hex')}` };
}

const alice = principal('lpool-alice');
const bob = principal('lpool-bob');
const carol = principal('lpool-carol');
const apiKeys = { [alice.key]: alice.id, [bob.key]: bob.id, [carol.key]: carol.id };

const localPlugin = (dataDir: string) => ({
  use: 'runtime-local',
  options: { isolation: 'bwrap', network: 'none', dataDir },
});

/** A runtime of the test's own on the data dir, to look at members; it takes no lock until it changes something. */
const probeOf = (dataDir: string) => new LocalRuntime({ dataDir, isolation: 'bwrap', network: 'none' }, quiet);

async function readyMembers(dataDir: string): Promise<PoolMember[]> {
  return (await probeOf(dataDir).pool.members()).filter((m) => m.template === TEMPLATE && m.status === 'running');
}

/** The record of sandbox `id` as the runtime keeps it: a former member carries its slot (`pool-<key>`). */
async function recordOf(dataDir: string, id: string): Promise<{ owner: string; slot?: string; pool?: string }> {
  return JSON.parse(await readFile(join(dataDir, id, 'meta.json'), 'utf8')) as {
    owner: string;
    slot?: string;
    pool?: string;
  };
}

/** Removes everything in a data dir: members, sandboxes, half-done steps, and stray holders. */
async function wipe(dataDir: string): Promise<void> {
  const rt = probeOf(dataDir);
  await rt.start();
  for (const m of await rt.pool.members()) await rt.pool.recycle(m.key);
  for (const s of await rt.list()) await rt.destroy(s.id);
  await rt.pool.sweep(Date.now() + 3600_000);
  await rt.start();
  await rt.close();
  await rm(dataDir, { recursive: true, force: true });
}

describe('warm pools on the local runtime', () => {
  const gateways: TestGateway[] = [];
  const dirs: string[] = [];
  const children: GatewayProcess[] = [];

  async function dataDir(): Promise<string> {
    const dir = await mkdtemp(join(tmpdir(), 'sbx-local-wpool-'));
    dirs.push(dir);
    return dir;
  }

  async function gateway(dir: string, pools: unknown[], extra: Record<string, unknown> = {}): Promise<TestGateway> {
    const gw = await startTestGateway({
      onlyPlugins: ['capability-shell', 'transport-rest'],
      extraPlugins: [localPlugin(dir)],
      config: {
        runtime: { default: 'local' },
        sandbox: { reapIntervalSeconds: 3600, pools, ...extra },
        auth: { apiKeys },
      },
    });
    gateways.push(gw);
    return gw;
  }

  afterEach(async () => {
    for (const child of children.splice(0)) await child.kill('SIGKILL');
    for (const gw of gateways.splice(0)) await gw.close();
    for (const dir of dirs.splice(0)) await wipe(dir);
  }, SLOW);
  afterAll(async () => {
    for (const dir of dirs.splice(0)) await wipe(dir);
  }, SLOW);

  it(
    '50 parallel creates against a pool of 10 across two gateways sharing a data dir give 50 distinct, usable sandboxes',
    async () => {
      const dir = await dataDir();
      const pools = [{ template: TEMPLATE, size: 10 }];
      const [a, b] = [await gateway(dir, pools), await gateway(dir, pools)];
      await waitFor(async () => (await readyMembers(dir)).length >= 10, { timeoutMs: 120_000, what: 'a full pool' });
      const apis = [a, b].map((gw) => new HttpClient(gw.url, { 'x-api-key': alice.key }));
      const before = new Set((await readyMembers(dir)).map((m) => m.key));
      const created = await Promise.all(
        Array.from({ length: 50 }, (_, i) =>
          apis[i % 2]!.post('/v1/sandboxes', { template: TEMPLATE, ttlSeconds: 600 }),
        ),
      );
      expect(created.map((r) => r.status)).toEqual(Array(50).fill(201));
      const ids = created.map((r) => r.body.id as string);
      expect(new Set(ids).size).toBe(50);
      // Served warm: the sandbox is a former member (it keeps the member's slot), each member at most once.
      const records = await Promise.all(ids.map((id) => recordOf(dir, id)));
      expect(records.every((r) => r.owner === alice.id)).toBe(true);
      const slots = records.flatMap((r) => (r.slot ? [r.slot] : []));
      expect(slots.length).toBeGreaterThanOrEqual(10);
      expect(new Set(slots).size).toBe(slots.length);
      const claimed = [...before].filter((k) => slots.includes(`pool-${k}`));
      expect(claimed.length).toBeGreaterThanOrEqual(5);
      const left = new Set((await probeOf(dir).pool.members()).map((m) => m.key));
      expect(claimed.filter((k) => left.has(k))).toEqual([]);
      for (let i = 0; i < ids.length; i += 10) {
        await Promise.all(ids.slice(i, i + 10).map((id, j) => claimMarker(apis[(i + j) % 2]!, id)));
      }
      for (const api of apis) {
        const listed = await api.get('/v1/sandboxes');
        expect(listed.body.sandboxes.map((s: { id: string }) => s.id).sort()).toEqual([...ids].sort());
      }
      // Refilled in the background.
      await waitFor(async () => (await readyMembers(dir)).length >= 10, { timeoutMs: 120_000, what: 'the refill' });
      for (const id of ids) expect((await apis[0]!.delete(`/v1/sandboxes/${id}`)).status).toBe(204);
    },
    SLOW * 2,
  );

  it(
    'pool members are nobody’s: invisible to every tenant, outside the quota; labels and TTL apply at claim',
    async () => {
      const dir = await dataDir();
      const gw = await gateway(dir, [{ template: TEMPLATE, size: 3 }], { maxPerOwner: 2 });
      await waitFor(async () => (await readyMembers(dir)).length >= 3, { timeoutMs: 120_000, what: 'a full pool' });
      const asBob = new HttpClient(gw.url, { 'x-api-key': bob.key });
      const asCarol = new HttpClient(gw.url, { 'x-api-key': carol.key });
      expect((await asBob.get('/v1/sandboxes')).body.sandboxes).toEqual([]);
      const member = (await readyMembers(dir))[0]!;
      for (const guess of [member.key, `pool-${member.key}`, `.pool-${member.key}`]) {
        expect((await asBob.get(`/v1/sandboxes/${encodeURIComponent(guess)}`)).status).toBe(404);
        expect((await asBob.post(`/v1/sandboxes/${encodeURIComponent(guess)}/exec`, { command: 'true' })).status).toBe(
          404,
        );
      }
      const started = Date.now();
      const one = await asBob.post('/v1/sandboxes', { template: TEMPLATE, labels: { team: 'blue' }, ttlSeconds: 120 });
      const two = await asBob.post('/v1/sandboxes', { template: TEMPLATE });
      expect([one.status, two.status]).toEqual([201, 201]);
      expect((await recordOf(dir, one.body.id)).slot).toMatch(/^pool-[0-9a-f]{32}$/);
      // Members are still ready, yet bob's two sandboxes fill his quota of 2.
      expect((await probeOf(dir).pool.members()).length).toBeGreaterThanOrEqual(1);
      expect((await asBob.post('/v1/sandboxes', { template: TEMPLATE })).status).toBe(429);

      await expectClaimedAsCreated(asBob, asCarol, one.body.id, TEMPLATE, started);
      // A create with env goes cold (and still works).
      const cold = await asCarol.post('/v1/sandboxes', { template: TEMPLATE, env: { A: '1' } });
      expect(cold.status).toBe(201);
      expect((await recordOf(dir, cold.body.id)).slot).toBeUndefined();
      await claimMarker(asBob, one.body.id);
    },
    SLOW,
  );

  it(
    'recycles members after maxAgeSeconds: their holders end and their directories go',
    async () => {
      const dir = await dataDir();
      await gateway(dir, [{ template: TEMPLATE, size: 2, maxAgeSeconds: 3 }]);
      await waitFor(async () => (await readyMembers(dir)).length >= 2, { timeoutMs: 120_000, what: 'a full pool' });
      const first = await readyMembers(dir);
      const holders = await Promise.all(
        first.map(
          async (m) =>
            (
              JSON.parse(await readFile(join(dir, `.pool-${m.key}`, 'meta.json'), 'utf8')) as {
                holder: { pid: number };
              }
            ).holder.pid,
        ),
      );
      await waitFor(
        async () => {
          const now = (await readyMembers(dir)).map((m) => m.key);
          return now.length >= 2 && first.every((m) => !now.includes(m.key));
        },
        { timeoutMs: 120_000, what: 'every first member to be replaced' },
      );
      const all = (await probeOf(dir).pool.members()).map((m) => m.key);
      expect(first.filter((m) => all.includes(m.key))).toEqual([]);
      await waitFor(() => first.every((m) => !existsSync(join(dir, `.recycle-${m.key}`))), {
        what: 'the recycles to finish',
      });
      for (const m of first) expect(existsSync(join(dir, `.pool-${m.key}`))).toBe(false);
      const alive = (pid: number) =>
        existsSync(`/proc/${pid}`) && !/^\S+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
      await waitFor(() => holders.every((pid) => !alive(pid)), { what: 'the recycled members’ holders to end' });
    },
    SLOW,
  );

  it(
    'a gateway killed and restarted keeps claimed and unclaimed members straight',
    async () => {
      const dir = await dataDir();
      const overrides = {
        // An ephemeral port: the child's config does not read SANDBOXED_SERVER__PORT.
        server: { port: 0 },
        runtime: { default: 'local' },
        plugins: ['capability-shell', 'transport-rest', localPlugin(dir)],
        sandbox: { reapIntervalSeconds: 3600, pools: [{ template: TEMPLATE, size: 3 }] },
        auth: { apiKeys },
        log: { level: 'warn' },
      };
      const start = async () => {
        const child = await spawnGateway({ overrides });
        children.push(child);
        return child;
      };
      let child = await start();
      await waitFor(async () => (await readyMembers(dir)).length >= 3, { timeoutMs: 120_000, what: 'a full pool' });
      const api1 = new HttpClient(child.url, { 'x-api-key': alice.key });
      const before = new Set((await readyMembers(dir)).map((m) => m.key));
      const made = await api1.post('/v1/sandboxes', { template: TEMPLATE, labels: { kept: 'yes' }, ttlSeconds: 600 });
      expect(made.status).toBe(201);
      const slot = (await recordOf(dir, made.body.id)).slot!;
      expect([...before].map((k) => `pool-${k}`)).toContain(slot);
      await claimMarker(api1, made.body.id);
      const left = (await readyMembers(dir)).filter((m) => before.has(m.key)).map((m) => m.key);
      expect(left.length).toBe(before.size - 1);

      await child.kill('SIGKILL');
      child = await start();
      const api2 = new HttpClient(child.url, { 'x-api-key': alice.key });
      const asBob = new HttpClient(child.url, { 'x-api-key': bob.key });
      const kept = await api2.get(`/v1/sandboxes/${made.body.id}`);
      expect(kept.status).toBe(200);
      expect(kept.body).toMatchObject({ labels: { kept: 'yes' }, template: TEMPLATE, status: 'running' });
      expect((await asBob.get(`/v1/sandboxes/${made.body.id}`)).status).toBe(404);
      expect((await asBob.get('/v1/sandboxes')).body.sandboxes).toEqual([]);
      // Its state survived (same holder, same /tmp), and it did not go back to the pool.
      const marker = await api2.post(`/v1/sandboxes/${made.body.id}/exec`, { command: 'cat /tmp/owner' });
      expect(marker.body.stdout).toBe(`${made.body.id}\n`);
      expect((await probeOf(dir).pool.members()).map((m) => `pool-${m.key}`)).not.toContain(slot);
      // The unclaimed members are still there and claimable, each exactly once.
      expect((await readyMembers(dir)).map((m) => m.key)).toEqual(expect.arrayContaining(left));
      const again = await Promise.all([1, 2].map(() => api2.post('/v1/sandboxes', { template: TEMPLATE })));
      expect(again.map((r) => r.status)).toEqual([201, 201]);
      const ids = [made.body.id as string, ...again.map((r) => r.body.id as string)];
      for (const id of ids.slice(1)) await claimMarker(api2, id);
      const slots = await Promise.all(ids.map(async (id) => (await recordOf(dir, id)).slot));
      expect(new Set(slots).size).toBe(3);
      expect(slots.filter((s) => left.some((k) => s === `pool-${k}`)).length).toBeGreaterThanOrEqual(1);
      const listed = (await api2.get('/v1/sandboxes')).body.sandboxes.map((s: { id: string }) => s.id);
      expect(listed.sort()).toEqual([...ids].sort());
      for (const id of ids) expect((await api2.delete(`/v1/sandboxes/${id}`)).status).toBe(204);
    },
    SLOW * 2,
  );

  it(
    'claims racing from two processes on one data dir hand out each member exactly once',
    async () => {
      const dir = await dataDir();
      const filler = probeOf(dir);
      const spec = { template: TEMPLATE, resources: { cpu: 1, memoryMb: 256, pids: 128 } };
      const keys: string[] = [];
      for (let i = 0; i < 12; i++) {
        keys.push((await filler.pool.fill({ ...spec, expiresAt: new Date(Date.now() + 600_000) })).key);
      }
      // The claimers must be able to take the data dir's lock if they need it; this process lets it go.
      await filler.close();
      const claimers = ['proc-one', 'proc-two'].map((owner) => {
        const child = spawn(
          process.execPath,
          [
            '--import',
            './test/support/ts-source.hooks.mjs',
            'test/fixtures/local-pool-claimer.mjs',
            dir,
            owner,
            keys.join(','),
          ],
          { cwd: process.cwd(), stdio: ['pipe', 'pipe', 'pipe'] },
        );
        let out = '';
        let err = '';
        child.stdout.on('data', (c: Buffer) => (out += c.toString()));
        child.stderr.on('data', (c: Buffer) => (err += c.toString()));
        const done = new Promise<number | null>((resolve) => child.once('exit', resolve));
        return { owner, child, out: () => out, err: () => err, done };
      });
      for (const c of claimers) {
        await waitFor(() => c.out().includes('ready\n') || c.child.exitCode !== null, {
          timeoutMs: 60_000,
          what: `${c.owner} to be ready`,
        });
        expect({ owner: c.owner, exit: c.child.exitCode, stderr: c.err() }).toMatchObject({ exit: null });
      }
      for (const c of claimers) c.child.stdin.write('go\n');
      const codes = await Promise.all(claimers.map((c) => c.done));
      expect({ codes, stderr: claimers.map((c) => c.err()) }).toMatchObject({ codes: [0, 0] });
      const wins = claimers.map((c) => ({
        owner: c.owner,
        won: JSON.parse(c.out().split('\n')[1]!) as Array<{ key: string; id: string }>,
      }));
      const wonKeys = wins.flatMap((w) => w.won.map((x) => x.key));
      expect(wonKeys.sort()).toEqual([...keys].sort());
      // Each winner's sandbox is its own: recorded with its owner and the member's slot.
      for (const { owner, won } of wins) {
        for (const { key, id } of won) {
          expect(await recordOf(dir, id)).toMatchObject({ owner, slot: `pool-${key}` });
        }
      }
      const rt = probeOf(dir);
      expect(await rt.pool.members()).toEqual([]);
      expect((await rt.list()).length).toBe(keys.length);
    },
    SLOW,
  );
});
