import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { LOCAL_IMAGES } from '@sandboxed/runtime-docker';
import { HttpClient, startTestGateway, type TestGateway } from '@sandboxed/testing';
import { describeWithDocker, dockerUnavailableReason } from './support/docker-engine.support.js';

const LIMIT = 5;
const PARALLEL = 30;
const SLOW = 120_000;
const reason = await dockerUnavailableReason([LOCAL_IMAGES.base]);

/** An API key of its own, so listings show exactly this file's sandboxes on a shared engine. */
function ownKey(tag: string): { key: string; principal: string } {
  return { key: `sk_${tag}_${randomBytes(12).toString('hex')}`, principal: `${tag}-${randomBytes(4).toString('hex')}` };
}

function quotaGateway(runtime: 'local' | 'docker', apiKeys: Record<string, string>): Promise<TestGateway> {
  return startTestGateway({
    onlyPlugins: ['runtime-local', 'transport-rest'],
    extraPlugins: runtime === 'docker' ? ['runtime-docker'] : [],
    config: {
      runtime: { default: runtime },
      // A long reap interval: this gateway must not reap other test files' sandboxes on a shared engine.
      sandbox: { maxPerOwner: LIMIT, reapIntervalSeconds: 3600 },
      auth: { apiKeys },
    },
  });
}

/** Fires `count` creates at once over HTTP, spread round-robin over the clients. */
async function createStorm(clients: HttpClient[], count: number): Promise<Array<{ status: number; body: any }>> {
  return Promise.all(
    Array.from({ length: count }, (_, i) => clients[i % clients.length]!.post('/v1/sandboxes', { ttlSeconds: 600 })),
  );
}

function statuses(results: Array<{ status: number }>): Record<number, number> {
  const out: Record<number, number> = {};
  for (const r of results) out[r.status] = (out[r.status] ?? 0) + 1;
  return out;
}

function quotaSuite(runtime: 'local' | 'docker'): void {
  let gw: TestGateway;
  let api: HttpClient;
  const { key, principal } = ownKey(`quota-${runtime}`);
  beforeAll(async () => {
    gw = await quotaGateway(runtime, { [key]: principal });
    api = new HttpClient(gw.url, { 'x-api-key': key });
  }, SLOW);
  afterAll(async () => gw?.close(), SLOW);

  it(
    `${PARALLEL} parallel creates with maxPerOwner ${LIMIT}: exactly ${LIMIT} get 201, the rest 429`,
    async () => {
      const results = await createStorm([api], PARALLEL);
      expect(statuses(results)).toEqual({ 201: LIMIT, 429: PARALLEL - LIMIT });
      for (const refused of results.filter((r) => r.status === 429)) {
        expect(refused.body.error).toMatchObject({
          code: 'quota_exceeded',
          message: expect.stringContaining(`limit ${LIMIT}`),
        });
      }
      const listed = await api.get('/v1/sandboxes');
      expect(listed.body.count).toBe(LIMIT);
      const created = results.filter((r) => r.status === 201).map((r) => r.body.id as string);
      expect(listed.body.sandboxes.map((s: { id: string }) => s.id).sort()).toEqual(created.sort());

      // A deleted sandbox frees its slot, and a create the runtime refuses gives its reservation back.
      expect((await api.delete(`/v1/sandboxes/${created[0]}`)).status).toBe(204);
      if (runtime === 'docker') {
        const refused = await Promise.all([1, 2].map(() => api.post('/v1/sandboxes', { template: 'no-such' })));
        expect(refused.map((r) => r.status)).toEqual([400, 400]);
      }
      expect(statuses(await createStorm([api], 4))).toEqual({ 201: 1, 429: 3 });
      expect((await api.get('/v1/sandboxes')).body.count).toBe(LIMIT);
    },
    SLOW,
  );
}

describe('per-owner quota under concurrency, local runtime', () => quotaSuite('local'));

describeWithDocker('per-owner quota under concurrency, docker runtime', reason, () => {
  quotaSuite('docker');

  describe('two gateways on one engine (replicas)', () => {
    let a: TestGateway;
    let b: TestGateway;
    let viaA: HttpClient;
    let viaB: HttpClient;
    const { key, principal } = ownKey('quota-replicas');
    beforeAll(async () => {
      [a, b] = await Promise.all([
        quotaGateway('docker', { [key]: principal }),
        quotaGateway('docker', { [key]: principal }),
      ]);
      viaA = new HttpClient(a.url, { 'x-api-key': key });
      viaB = new HttpClient(b.url, { 'x-api-key': key });
    }, SLOW);
    afterAll(async () => Promise.all([a?.close(), b?.close()]), SLOW);

    it(
      'the check after create keeps the owner at the quota across replicas',
      async () => {
        // Each replica reserves up to the quota on its own; the re-check after create removes the excess.
        const results = await createStorm([viaA, viaB], PARALLEL);
        const created = results.filter((r) => r.status === 201).map((r) => r.body.id as string);
        expect(created.length + results.filter((r) => r.status === 429).length).toBe(PARALLEL);
        expect(created.length).toBeLessThanOrEqual(LIMIT);
        for (const via of [viaA, viaB]) {
          const listed = await via.get('/v1/sandboxes');
          expect(listed.body.sandboxes.map((s: { id: string }) => s.id).sort()).toEqual([...created].sort());
        }
        // Once the storm is over, the free slots can be filled one by one, and never more.
        for (let i = created.length; i < LIMIT; i++) {
          expect((await (i % 2 ? viaA : viaB).post('/v1/sandboxes', { ttlSeconds: 600 })).status).toBe(201);
        }
        expect(statuses(await createStorm([viaA, viaB], 6))).toEqual({ 429: 6 });
        expect((await viaA.get('/v1/sandboxes')).body.count).toBe(LIMIT);
      },
      SLOW,
    );
  });
});
