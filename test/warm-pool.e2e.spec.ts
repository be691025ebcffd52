import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import {
  claimVolumeName,
  createDockerClient,
  DockerRuntime,
  POOL_LABELS,
  poolName,
  reconcilePool,
  CLAIM_GRACE_MS,
  resolveDockerRuntimeOptions,
  SANDBOX_LABELS,
} from '@sandboxed/runtime-docker';
import { KubernetesRuntime, resolveKubernetesRuntimeOptions } from '@sandboxed/runtime-kubernetes';
import type { PoolMember, SandboxPoolDriver, SandboxRuntime } from '@sandboxed/plugin-sdk';
import { HttpClient, sandboxSpec, startTestGateway, waitFor, type TestGateway } from '@sandboxed/testing';
import { describeWithDocker, dockerUnavailableReason } from './support/docker-engine.support.js';
import { spawnGateway, type GatewayProcess } from './support/gateway.process.js';
import { claimMarker, expectClaimedAsCreated } from './support/warm-pool.support.js';
import { kubeTarget } from './support/kube-fake.support.js';

const SLOW = 180_000;
const reason = await dockerUnavailableReason(['sandboxed/base:local']);
const kube = await kubeTarget(['sandboxed/base:local']);
/** A template of this file's own, so no other test file's creates claim from (or see) these pools. */
const TEMPLATE = `pool${randomBytes(4).toString('hex')}`;

interface Target {
  name: 'docker' | 'kubernetes';
  plugin(): { use: string; options: Record<string, unknown> };
  /** A runtime of the test's own on the same engine, to look at pool members directly. */
  probe(): SandboxRuntime & { pool: SandboxPoolDriver };
}

const targets: Target[] = [
  {
    name: 'docker',
    plugin: () => ({
      use: 'runtime-docker',
      options: { templates: { [TEMPLATE]: { image: 'sandboxed/base:local' } } },
    }),
    probe: () =>
      new DockerRuntime(resolveDockerRuntimeOptions({ templates: { [TEMPLATE]: { image: 'sandboxed/base:local' } } })),
  },
  {
    name: 'kubernetes',
    plugin: () => ({
      use: 'runtime-kubernetes',
      options: { ...kube.plugin.options, templates: { [TEMPLATE]: { image: 'sandboxed/base:local' } } },
    }),
    probe: () =>
      new KubernetesRuntime(
        resolveKubernetesRuntimeOptions({
          ...kube.plugin.options,
          templates: { [TEMPLATE]: { image: 'sandboxed/base:local' } },
        }),
      ) as KubernetesRuntime & { pool: SandboxPoolDriver },
  },
];

function principal(tag: string): { key: string; id: string } {
  return { key: `sk_${tag}_${randomBytes(12).toString('hex')}`, id: `${tag}-${randomBytes(4).toString('hex')}` };
}

const ready = (members: PoolMember[]) => members.filter((m) => m.template === TEMPLATE && m.status === 'running');

async function membersOf(probe: Target['probe'] extends () => infer R ? R : never): Promise<PoolMember[]> {
  return ready(await probe.pool.members());
}

for (const target of targets) {
  const unavailable = target.name === 'docker' ? reason : kube.unavailable;
  describeWithDocker(`warm pools on ${target.name}`, unavailable, () => {
    let probe: ReturnType<Target['probe']>;
    const gateways: TestGateway[] = [];
    const alice = principal('pool-alice');
    const bob = principal('pool-bob');
    const carol = principal('pool-carol');
    const apiKeys = { [alice.key]: alice.id, [bob.key]: bob.id, [carol.key]: carol.id };

    async function gateway(
      pools: unknown[],
      extra: Record<string, unknown> = {},
      config: Record<string, unknown> = {},
    ): Promise<TestGateway> {
      const gw = await startTestGateway({
        onlyPlugins: ['capability-shell', 'transport-rest'],
        extraPlugins: [target.plugin()],
        config: {
          ...config,
          runtime: { default: target.name },
          sandbox: { reapIntervalSeconds: 3600, pools, ...extra },
          auth: { apiKeys },
        },
      });
      gateways.push(gw);
      return gw;
    }

    /** Recycles every member of this file's template (what any gateway of it left). */
    async function drain(): Promise<void> {
      for (const m of await probe.pool.members()) if (m.template === TEMPLATE) await probe.pool.recycle(m.key);
    }

    beforeAll(() => {
      probe = target.probe();
    });
    afterAll(async () => {
      for (const gw of gateways.splice(0)) await gw.close();
      if (probe) await drain();
      await probe?.close?.();
    }, SLOW);

    it(
      '50 parallel creates against a pool of 10 across two gateways give 50 distinct, usable sandboxes',
      async () => {
        const pools = [{ template: TEMPLATE, size: 10 }];
        const [a, b] = [await gateway(pools), await gateway(pools)];
        await waitFor(async () => (await membersOf(probe)).length >= 10, { timeoutMs: 120_000, what: 'a full pool' });
        const apis = [a, b].map((gw) => new HttpClient(gw.url, { 'x-api-key': alice.key }));
        const before = new Set((await membersOf(probe)).map((m) => m.key));
        const created = await Promise.all(
          Array.from({ length: 50 }, (_, i) =>
            apis[i % 2]!.post('/v1/sandboxes', { template: TEMPLATE, ttlSeconds: 600 }),
          ),
        );
        expect(created.map((r) => r.status)).toEqual(Array(50).fill(201));
        const ids = created.map((r) => r.body.id as string);
        expect(new Set(ids).size).toBe(50);
        // Every member that was ready before is now either still unclaimed or exactly one sandbox.
        const after = new Set((await membersOf(probe)).map((m) => m.key));
        const claimed = [...before].filter((k) => !after.has(k));
        expect(claimed.length).toBeGreaterThanOrEqual(5);
        for (let i = 0; i < ids.length; i += 10) {
          await Promise.all(ids.slice(i, i + 10).map((id, j) => claimMarker(apis[(i + j) % 2]!, id)));
        }
        const listed = await apis[0]!.get('/v1/sandboxes');
        expect(listed.body.sandboxes.map((s: { id: string }) => s.id).sort()).toEqual([...ids].sort());
        // Refilled in the background.
        await waitFor(async () => (await membersOf(probe)).length >= 10, { timeoutMs: 120_000, what: 'the refill' });
        for (const id of ids) expect((await apis[0]!.delete(`/v1/sandboxes/${id}`)).status).toBe(204);
        for (const gw of gateways.splice(0)) await gw.close();
      },
      SLOW * 2,
    );

    it(
      'pool members are nobody’s: invisible to every tenant, outside the quota; labels and TTL apply at claim',
      async () => {
        const gw = await gateway([{ template: TEMPLATE, size: 3 }], { maxPerOwner: 2 });
        await waitFor(async () => (await membersOf(probe)).length >= 3, { timeoutMs: 120_000, what: 'a full pool' });
        const asBob = new HttpClient(gw.url, { 'x-api-key': bob.key });
        const asCarol = new HttpClient(gw.url, { 'x-api-key': carol.key });
        expect((await asBob.get('/v1/sandboxes')).body.sandboxes).toEqual([]);
        const member = (await membersOf(probe))[0]!;
        for (const guess of [member.key, `pool-${member.key}`, `claimed-${member.key}`]) {
          expect((await asBob.get(`/v1/sandboxes/${guess}`)).status).toBe(404);
        }
        const started = Date.now();
        const keys = new Set((await membersOf(probe)).map((m) => m.key));
        const one = await asBob.post('/v1/sandboxes', {
          template: TEMPLATE,
          labels: { team: 'blue' },
          ttlSeconds: 120,
        });
        const two = await asBob.post('/v1/sandboxes', { template: TEMPLATE });
        expect([one.status, two.status]).toEqual([201, 201]);
        // Three pool members exist, yet bob's two sandboxes fill his quota of 2.
        const three = await asBob.post('/v1/sandboxes', { template: TEMPLATE });
        expect(three.status).toBe(429);
        const remaining = new Set((await membersOf(probe)).map((m) => m.key));
        expect([...keys].filter((k) => !remaining.has(k)).length).toBeGreaterThanOrEqual(1);

        await expectClaimedAsCreated(asBob, asCarol, one.body.id, TEMPLATE, started);
        // A create asking for more than a member has goes cold (and still works).
        expect((await asCarol.post('/v1/sandboxes', { template: TEMPLATE, env: { A: '1' } })).status).toBe(201);
        await claimMarker(asBob, one.body.id);
        for (const gw of gateways.splice(0)) await gw.close();
      },
      SLOW,
    );

    it(
      'recycles members after maxAgeSeconds',
      async () => {
        await drain();
        await gateway([{ template: TEMPLATE, size: 2, maxAgeSeconds: 4 }]);
        await waitFor(async () => (await membersOf(probe)).length >= 2, { timeoutMs: 120_000, what: 'a full pool' });
        const first = new Set((await membersOf(probe)).map((m) => m.key));
        await waitFor(
          async () => {
            const now = (await membersOf(probe)).map((m) => m.key);
            return now.length >= 2 && now.every((k) => !first.has(k));
          },
          { timeoutMs: 120_000, what: 'every first member to be replaced' },
        );
        const all = (await probe.pool.members()).filter((m) => m.template === TEMPLATE);
        expect(all.some((m) => first.has(m.key))).toBe(false);
        for (const gw of gateways.splice(0)) await gw.close();
      },
      SLOW,
    );

    it(
      'a gateway killed and restarted keeps claimed and unclaimed members straight',
      async () => {
        await drain();
        const overrides = {
          // An ephemeral port: the child's config does not read SANDBOXED_SERVER__PORT.
          server: { port: 0 },
          runtime: { default: target.name },
          plugins: ['capability-shell', 'transport-rest', target.plugin()],
          sandbox: { reapIntervalSeconds: 3600, pools: [{ template: TEMPLATE, size: 3 }] },
          auth: { apiKeys },
          log: { level: 'warn' },
        };
        let child: GatewayProcess | undefined = await spawnGateway({ overrides });
        const ids: string[] = [];
        try {
          await waitFor(async () => (await membersOf(probe)).length >= 3, { timeoutMs: 120_000, what: 'a full pool' });
          const api1 = new HttpClient(child.url, { 'x-api-key': alice.key });
          const before = new Set((await membersOf(probe)).map((m) => m.key));
          const made = await api1.post('/v1/sandboxes', {
            template: TEMPLATE,
            labels: { kept: 'yes' },
            ttlSeconds: 600,
          });
          expect(made.status).toBe(201);
          ids.push(made.body.id);
          await claimMarker(api1, made.body.id);
          const left = (await membersOf(probe)).filter((m) => before.has(m.key));
          expect(left.length).toBe(before.size - 1);
          await child.kill('SIGKILL');
          child = await spawnGateway({ overrides });
          const api2 = new HttpClient(child.url, { 'x-api-key': alice.key });
          const asBob = new HttpClient(child.url, { 'x-api-key': bob.key });
          const kept = await api2.get(`/v1/sandboxes/${made.body.id}`);
          expect(kept.status).toBe(200);
          expect(kept.body).toMatchObject({ labels: { kept: 'yes' }, template: TEMPLATE });
          expect((await asBob.get(`/v1/sandboxes/${made.body.id}`)).status).toBe(404);
          expect((await asBob.get('/v1/sandboxes')).body.sandboxes).toEqual([]);
          // Its state survived: the marker is still there, so the next claimMarker on it would fail.
          const marker = await api2.post(`/v1/sandboxes/${made.body.id}/exec`, { command: 'cat /tmp/owner' });
          expect(marker.body.stdout).toBe(`${made.body.id}\n`);
          // The unclaimed members are still claimable, each exactly once.
          const again = await Promise.all([1, 2].map(() => api2.post('/v1/sandboxes', { template: TEMPLATE })));
          expect(again.map((r) => r.status)).toEqual([201, 201]);
          ids.push(...again.map((r) => r.body.id as string));
          for (const id of ids.slice(1)) await claimMarker(api2, id);
          const now = new Set((await membersOf(probe)).map((m) => m.key));
          expect(left.filter((m) => now.has(m.key)).length).toBeLessThan(left.length);
          expect(new Set(ids).size).toBe(3);
          const listed = (await api2.get('/v1/sandboxes')).body.sandboxes.map((s: { id: string }) => s.id);
          expect(listed.sort()).toEqual([...ids].sort());
        } finally {
          const api = child ? new HttpClient(child.url, { 'x-api-key': alice.key }) : undefined;
          for (const id of ids) await api?.delete(`/v1/sandboxes/${id}`);
          await child?.kill('SIGTERM');
        }
      },
      SLOW * 2,
    );

    if (target.name === 'docker') {
      it(
        'a member’s agent runs before anyone claims it, and the claim’s first exec goes through that one',
        async () => {
          await drain();
          const gw = await gateway(
            [{ template: TEMPLATE, size: 1 }],
            {},
            { agent: { enabled: true, idleSeconds: 600 } },
          );
          await waitFor(async () => (await membersOf(probe)).length >= 1, { timeoutMs: 120_000, what: 'a full pool' });
          const key = (await membersOf(probe))[0]!.key;
          const agents = async (): Promise<string[]> => {
            const session = await probe.pool.execMember!(key, {
              argv: [
                'sh',
                '-c',
                'for p in /proc/[0-9]*; do tr "\\0" " " < $p/cmdline 2>/dev/null | grep -q "^/tmp/.sandboxed-agent-" && echo ${p#/proc/}; done',
              ],
            });
            const out: Buffer[] = [];
            session.stdout.on('data', (d: Buffer) => out.push(d));
            await session.wait();
            return Buffer.concat(out).toString().split('\n').filter(Boolean);
          };
          await waitFor(async () => (await agents()).length === 1, { timeoutMs: 60_000, what: 'the member’s agent' });
          const [before] = await agents();
          const api = new HttpClient(gw.url, { 'x-api-key': alice.key });
          const created = await api.post('/v1/sandboxes', { template: TEMPLATE });
          expect(created.status).toBe(201);
          const docker = createDockerClient().docker;
          const record = await docker.getVolume(claimVolumeName(key)).inspect();
          expect(record.Labels?.[POOL_LABELS.claim]).toBe(created.body.id);
          await claimMarker(api, created.body.id);
          // Still the one agent, started before the claim: the exec started none.
          expect(await agents()).toEqual([before]);
          expect((await api.delete(`/v1/sandboxes/${created.body.id}`)).status).toBe(204);
          for (const g of gateways.splice(0)) await g.close();
        },
        SLOW,
      );

      it(
        'of racing claims and recycles of one member exactly one makes its record; only that claim renames it',
        async () => {
          await drain();
          await gateway([{ template: TEMPLATE, size: 3 }]);
          await waitFor(async () => (await membersOf(probe)).length >= 3, { timeoutMs: 120_000, what: 'a full pool' });
          // The gateway only filled the pool: these claims and recycles are the probe's own.
          for (const g of gateways.splice(0)) await g.close();
          const [claimOnly, mixed] = (await membersOf(probe)).map((m) => m.key);
          const spec = () => sandboxSpec(alice.id, { template: TEMPLATE });
          const specs = Array.from({ length: 8 }, spec);
          const claims = await Promise.all(specs.map((s) => probe.pool.claim(claimOnly!, s)));
          const winners = claims.filter((c) => c !== undefined);
          expect(winners).toHaveLength(1);
          const { docker } = createDockerClient();
          const record = await docker.getVolume(claimVolumeName(claimOnly!)).inspect();
          expect(record.Labels[POOL_LABELS.claim]).toBe(winners[0]!.id);
          // Found and owned at once, through its record; named after the sandbox a moment later.
          const fresh = target.probe();
          expect(await fresh.get(winners[0]!.id)).toMatchObject({ id: winners[0]!.id, owner: alice.id });
          const renamed = await waitFor(
            () =>
              docker
                .getContainer(`sandboxed-${winners[0]!.id}`)
                .inspect()
                .catch(() => undefined),
            { what: 'the claimed container to get its sandbox name' },
          );
          expect(renamed!.Config.Labels[POOL_LABELS.key]).toBe(claimOnly);
          expect(await target.probe().get(winners[0]!.id)).toMatchObject({ id: winners[0]!.id, owner: alice.id });
          for (const s of specs.filter((s) => s.id !== winners[0]!.id)) {
            expect(await probe.get(s.id)).toBeUndefined();
          }
          const [claimed, recycled] = await Promise.all([
            Promise.all(Array.from({ length: 3 }, () => probe.pool.claim(mixed!, spec()))),
            Promise.all(Array.from({ length: 3 }, () => probe.pool.recycle(mixed!))),
          ]);
          const mixedWinners = claimed.filter((c) => c !== undefined);
          expect(mixedWinners.length + recycled.filter(Boolean).length).toBe(1);
          for (const w of [...winners, ...mixedWinners]) await probe.destroy(w.id);
          await expect(docker.getVolume(claimVolumeName(claimOnly!)).inspect()).rejects.toMatchObject({
            statusCode: 404,
          });
        },
        SLOW,
      );

      it(
        'boot reconcile removes what a crashed gateway left halfway through a claim or recycle, never a live claim',
        async () => {
          await drain();
          const gw = await gateway([{ template: TEMPLATE, size: 6 }]);
          await waitFor(async () => (await membersOf(probe)).length >= 6, { timeoutMs: 120_000, what: 'a full pool' });
          const [unrenamed, recycling] = (await membersOf(probe)).map((m) => m.key);
          const { docker } = createDockerClient();
          const record = (key: string, labels: Record<string, string>) =>
            docker.createVolume({ Name: claimVolumeName(key), Labels: { [POOL_LABELS.key]: key, ...labels } });
          // A claim whose gateway stopped before renaming the container; a recycle that stopped after
          // winning; the record of a member that no longer exists.
          const claimRecord = (id: string) => ({
            [POOL_LABELS.claim]: id,
            [SANDBOX_LABELS.id]: id,
            [SANDBOX_LABELS.owner]: alice.id,
            [SANDBOX_LABELS.template]: TEMPLATE,
            [SANDBOX_LABELS.createdAt]: new Date().toISOString(),
            [SANDBOX_LABELS.expiresAt]: new Date(Date.now() + 600_000).toISOString(),
          });
          const stoppedId = randomBytes(16).toString('hex');
          const overdueId = randomBytes(16).toString('hex');
          await record(unrenamed!, claimRecord(stoppedId));
          await record(recycling!, { [POOL_LABELS.recycle]: 'nonce' });
          const goneKey = randomBytes(16).toString('hex');
          await record(goneKey, { [POOL_LABELS.claim]: randomBytes(16).toString('hex') });
          const api = new HttpClient(gw.url, { 'x-api-key': alice.key });
          const [live, pruned] = await Promise.all(
            [1, 2].map(() => api.post('/v1/sandboxes', { template: TEMPLATE, ttlSeconds: 600 })),
          );
          expect([live!.status, pruned!.status]).toEqual([201, 201]);
          // Once the claim has renamed it (a moment after the create).
          const keyOf = async (id: string) =>
            (await waitFor(
              () =>
                docker
                  .getContainer(`sandboxed-${id}`)
                  .inspect()
                  .catch(() => undefined),
              {
                what: `sandbox ${id} to get its name`,
              },
            ))!.Config.Labels[POOL_LABELS.key]!;
          const liveKey = await keyOf(live!.body.id);
          expect(liveKey).toMatch(/^[0-9a-f]{32}$/);
          // A claimed sandbox whose record was deleted (`docker volume prune`) is nobody's: removed, never pooled again.
          const prunedKey = await keyOf(pruned!.body.id);
          await docker.getVolume(claimVolumeName(prunedKey)).remove();
          // (The gateway that claimed it still knows its record; a fresh one does not.)
          expect(await probe.get(pruned!.body.id)).toBeUndefined();
          expect((await membersOf(probe)).map((m) => m.key)).not.toContain(prunedKey);
          const call = <T>(work: Promise<T>) => work;
          // Only what this test made (a failed earlier run may have left more for the reconcile).
          const ours = (names: string[]) =>
            names
              .filter((n) => [unrenamed!, recycling!, goneKey, pruned!.body.id, stoppedId].some((k) => n.endsWith(k)))
              .sort();
          const early = await reconcilePool(docker, call, new Date());
          expect(ours(early.reaped)).toEqual(
            [poolName(recycling!), claimVolumeName(recycling!), `sandboxed-${pruned!.body.id}`].sort(),
          );
          expect(early.adopted).toEqual(expect.arrayContaining([live!.body.id, stoppedId]));
          // The stopped claim stays claimed and owned, now under its sandbox name.
          expect((await docker.getContainer(`sandboxed-${stoppedId}`).inspect()).Config.Labels[POOL_LABELS.key]).toBe(
            unrenamed,
          );
          expect((await api.get(`/v1/sandboxes/${stoppedId}`)).body).toMatchObject({
            id: stoppedId,
            template: TEMPLATE,
          });
          expect(
            (await new HttpClient(gw.url, { 'x-api-key': bob.key }).get(`/v1/sandboxes/${stoppedId}`)).status,
          ).toBe(404);
          // Another stopped claim: any gateway's pool pass renames it once it is overdue (10 s; the clock is moved on).
          const overdue = (await membersOf(probe))[0]!.key;
          await record(overdue, claimRecord(overdueId));
          const clock = jest.spyOn(Date, 'now').mockReturnValue(Date.now() + 11_000);
          try {
            expect((await probe.pool.members()).map((m) => m.key)).not.toContain(overdue);
          } finally {
            clock.mockRestore();
          }
          await waitFor(
            () =>
              docker
                .getContainer(`sandboxed-${overdueId}`)
                .inspect()
                .catch(() => undefined),
            {
              what: 'the overdue claim to be renamed',
            },
          );
          // A record of no container goes once the grace period has passed.
          const late = await reconcilePool(docker, call, new Date(Date.now() + CLAIM_GRACE_MS + 1000));
          expect(ours(late.reaped)).toEqual([claimVolumeName(goneKey)]);
          expect(late.adopted).toEqual(expect.arrayContaining([live!.body.id, stoppedId, overdueId]));
          await claimMarker(api, live!.body.id);
          const names = (await docker.listContainers({ all: true })).flatMap((c) => c.Names ?? []);
          expect(names.filter((n) => n.includes(recycling!))).toEqual([]);
          expect(names.filter((n) => n.includes(unrenamed!))).toEqual([]);
          expect((await api.delete(`/v1/sandboxes/${stoppedId}`)).status).toBe(204);
          expect((await api.delete(`/v1/sandboxes/${overdueId}`)).status).toBe(204);
          expect((await api.delete(`/v1/sandboxes/${live!.body.id}`)).status).toBe(204);
          await expect(docker.getVolume(claimVolumeName(liveKey)).inspect()).rejects.toMatchObject({
            statusCode: 404,
          });
          for (const g of gateways.splice(0)) await g.close();
        },
        SLOW,
      );

      it('a pool naming an unknown template, or a negative size, stops boot naming the key', async () => {
        await expect(gateway([{ template: 'no-such-template', size: 1 }])).rejects.toThrow(
          /sandbox\.pools\.0\.template: "no-such-template" is not a template/,
        );
        await expect(gateway([{ template: TEMPLATE, size: -1 }])).rejects.toThrow(/sandbox\.pools\.0\.size/);
        await expect(
          gateway([
            { template: TEMPLATE, size: 1 },
            { template: TEMPLATE, size: 2 },
          ]),
        ).rejects.toThrow(/sandbox\.pools\.1\.template: .* already has a pool/);
      });
    }
  });
}

describe('warm pool config', () => {
  it('is an empty list by default', async () => {
    const { loadConfig } = await import('@sandboxed/kernel');
    expect(loadConfig({ env: {}, argv: [] }).sandbox.pools).toEqual([]);
  });
});
