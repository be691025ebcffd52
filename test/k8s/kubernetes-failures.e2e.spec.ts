import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { LOCAL_IMAGES } from '@sandboxed/plugin-sdk';
import { HttpClient, startTestGateway, waitFor, type TestGateway } from '@sandboxed/testing';
import { describeWithDocker } from '../support/docker-engine.support.js';
import { spawnGateway, type GatewayProcess } from '../support/gateway.process.js';
import { kubeTarget } from '../support/kube-fake.support.js';

const ALICE = { authorization: 'Bearer k_alice' };
const kube = await kubeTarget([LOCAL_IMAGES.base], { templates: { missing: { image: 'sandboxed/no-such-image:1' } } });

const podNames = (): Promise<string[]> => kube.podNames();

describeWithDocker('kubernetes runtime failures (fake API server)', kube.unavailable, () => {
  let gw: TestGateway;
  let api: HttpClient;
  beforeAll(async () => {
    gw = await startTestGateway({
      onlyPlugins: ['capability-shell', 'transport-rest'],
      extraPlugins: [kube.plugin],
      config: { runtime: { default: 'kubernetes' }, auth: { apiKeys: { k_alice: 'alice' } } },
    });
    api = new HttpClient(gw.url, ALICE);
  }, 60_000);
  afterAll(async () => gw?.close(), 60_000);

  it('answers a template name found only on Object.prototype with a 400, and creates no pod', async () => {
    const res = await api.post('/v1/sandboxes', { template: 'constructor' });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toContain('Unknown template "constructor"');
    expect(await podNames()).toEqual([]);
  });

  it('answers an image that cannot be pulled with a 503 naming the reason and the pod, within the timeout, and leaves no pod', async () => {
    const res = await api.post('/v1/sandboxes', { template: 'missing' });
    expect(res.status).toBe(503);
    expect(res.body.error.message).toMatch(/(ErrImagePull|ImagePullBackOff)/);
    // It failed on the pull itself, not by running out the readiness timeout.
    expect(res.body.error.message).toMatch(/could not start/);
    expect(res.body.error.message).not.toMatch(/not ready within/);
    expect(res.body.error.message).toMatch(/pod sandbox-[0-9a-f]+ in namespace sandboxed/);
    expect(res.body.error.message).toMatch(/sandboxed\/no-such-image:1/);
    expect(await podNames()).toEqual([]);
  }, 60_000);
});

// Its own cluster, so no other gateway reconciles in its place; a small node, so a sandbox asking for
// 4 CPUs stays Pending (Unschedulable) until readyTimeoutMs.
const crashKube = await kubeTarget(
  [LOCAL_IMAGES.base],
  { readyTimeoutMs: 4000, apiTimeoutMs: 2000 },
  { nodeAllocatable: { cpu: '3', memory: '64Gi' } },
);
describeWithDocker('kubernetes runtime after a gateway crash (fake API server)', crashKube.unavailable, () => {
  it('kill -9 of a gateway during an exec and during a create leaves no orphaned pod after the next reconcile', async () => {
    const overrides = {
      server: { host: '127.0.0.1', port: 0 },
      log: { level: 'info' },
      auth: { apiKeys: { k_alice: 'alice' } },
      runtime: { default: 'kubernetes' },
      plugins: [crashKube.plugin, 'capability-shell', 'transport-rest'],
    };
    const since = crashKube.fake().requests.length;
    const first: GatewayProcess = await spawnGateway({ overrides });
    const viaFirst = new HttpClient(first.url, ALICE);
    const live = await viaFirst.createSandbox({ template: 'base' });
    const running = viaFirst.post(`/v1/sandboxes/${live}/exec`, {
      command: 'echo started; sleep 60',
      timeoutMs: 120_000,
    });
    await waitFor(() => crashKube.fake().requests.some((r) => r.path.includes(`sandbox-${live}/exec`)), {
      what: 'the exec to reach the API server',
    });
    // A create whose pod cannot be scheduled, cut off by the kill before its readiness timeout.
    const doomed = viaFirst.post('/v1/sandboxes', { template: 'base', resources: { cpu: 4 } });
    const podPosts = () =>
      crashKube
        .fake()
        .requests.slice(since)
        .filter((r) => r.method === 'POST' && r.path.endsWith('/pods'));
    await waitFor(() => podPosts().length >= 2 && podPosts().every((r) => r.status === 201), {
      what: 'the second pod to be created',
    });
    await first.kill('SIGKILL');
    await expect(running).rejects.toThrow();
    await expect(doomed).rejects.toThrow();
    expect((await crashKube.podNames()).length).toBe(2);

    const second = await spawnGateway({ overrides });
    try {
      // Once no create can still be waiting for it, a reconcile (at boot, or the periodic one) reaps it.
      await waitFor(async () => (await crashKube.podNames()).length === 1, {
        what: 'the orphaned pod to be reaped',
        timeoutMs: 30_000,
      }).catch((err: Error) => {
        throw new Error(`${err.message}\n${second.output()}`);
      });
      expect(await crashKube.podNames()).toEqual([`sandbox-${live}`]);
      expect(second.output()).toMatch(/reaped sandbox-[0-9a-f]+ \(never became ready: Unschedulable/);
      expect(second.output()).toMatch(/runtime-kubernetes: adopted \d sandbox/);
      const viaSecond = new HttpClient(second.url, ALICE);
      expect((await viaSecond.post(`/v1/sandboxes/${live}/exec`, { command: 'echo still here' })).body).toMatchObject({
        stdout: 'still here\n',
      });
      expect((await viaSecond.delete(`/v1/sandboxes/${live}`)).status).toBe(204);
      expect(await crashKube.podNames()).toEqual([]);
    } finally {
      await second.kill('SIGKILL');
    }
  }, 180_000);
});

const quotaKube = await kubeTarget([LOCAL_IMAGES.base], {}, { podQuota: { sandboxed: 1 } });
describeWithDocker('kubernetes runtime under a namespace pod quota (fake API server)', quotaKube.unavailable, () => {
  let gw: TestGateway;
  let api: HttpClient;
  beforeAll(async () => {
    gw = await startTestGateway({
      onlyPlugins: ['capability-shell', 'transport-rest'],
      extraPlugins: [quotaKube.plugin],
      config: { runtime: { default: 'kubernetes' }, auth: { apiKeys: { k_alice: 'alice' } } },
    });
    api = new HttpClient(gw.url, ALICE);
  }, 60_000);
  afterAll(async () => gw?.close(), 60_000);

  it('answers a full ResourceQuota with a 429 that quotes it, and creates nothing', async () => {
    const first = await api.createSandbox({ template: 'base' });
    const second = await api.post('/v1/sandboxes', { template: 'base' });
    expect(second.status).toBe(429);
    expect(second.body.error.message).toMatch(/namespace sandboxed is at its quota: .*exceeded quota/);
    expect(await quotaKube.podNames()).toEqual([`sandbox-${first}`]);
  });
});
