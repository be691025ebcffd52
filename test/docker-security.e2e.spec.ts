import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { LOCAL_IMAGES } from '@sandboxed/runtime-docker';
import { HttpClient, startTestGateway, type TestGateway } from '@sandboxed/testing';
import { describeWithDocker, dockerUnavailableReason } from './support/docker-engine.support.js';

/**
 * Issue 8, docker runtime: the review's failures, over REST on a real Docker engine.
 */
const SLOW = 90_000;
const reason = await dockerUnavailableReason([LOCAL_IMAGES.base, LOCAL_IMAGES.python]);

/** How many live processes run exactly `sleep <n>` for one of `seconds` (from /proc; zombies have no cmdline). */
const countSleeps = (...seconds: number[]): string =>
  `for p in /proc/[0-9]*; do tr "\\0" " " <"$p/cmdline" 2>/dev/null; echo; done | grep -cxE 'sleep (${seconds.join('|')}) ' || true`;

describeWithDocker('docker runtime security (issue 8)', reason, () => {
  let gw: TestGateway;
  let api: HttpClient;
  const key = `sk_dsec_${randomBytes(12).toString('hex')}`;
  const principal = `dsec-${randomBytes(4).toString('hex')}`;

  beforeAll(async () => {
    gw = await startTestGateway({
      onlyPlugins: ['capability-shell', 'capability-files', 'capability-processes', 'transport-rest'],
      extraPlugins: ['runtime-docker'],
      // A long reap interval: this gateway must not reap other test files' sandboxes on a shared engine.
      config: {
        runtime: { default: 'docker' },
        sandbox: { reapIntervalSeconds: 3600 },
        auth: { apiKeys: { [key]: principal } },
      },
    });
    api = new HttpClient(gw.url, { 'x-api-key': key });
  }, SLOW);
  afterAll(async () => gw?.close(), SLOW);

  const exec = (id: string, body: Record<string, unknown>) => api.post(`/v1/sandboxes/${id}/exec`, body);

  // Item 10: nothing an exec started outlives it, on timeout or on a normal exit.
  it(
    'a timeout kills every descendant, including setsid and double-forked ones',
    async () => {
      const id = await api.createSandbox({ template: 'base', ttlSeconds: 600 });
      const started = Date.now();
      const r = await exec(id, {
        command:
          'setsid sleep 1001 & setsid sleep 1002 </dev/null >/dev/null 2>&1 & ' +
          '(env -i setsid sleep 1003 </dev/null >/dev/null 2>&1 &); sleep 1004',
        timeoutMs: 1500,
      });
      expect(r.status).toBe(200);
      expect(r.body.timedOut).toBe(true);
      expect(Date.now() - started).toBeLessThan(20_000);
      const left = await exec(id, { command: countSleeps(1001, 1002, 1003, 1004) });
      expect(left.body.stdout).toBe('0\n');
    },
    SLOW,
  );

  it(
    'background jobs die when the exec exits normally, and the exec returns at once',
    async () => {
      const id = await api.createSandbox({ template: 'base', ttlSeconds: 600 });
      const started = Date.now();
      const r = await exec(id, {
        command:
          'sleep 1011 & setsid sleep 1012 </dev/null >/dev/null 2>&1 & ' +
          '(env -i setsid sleep 1013 </dev/null >/dev/null 2>&1 &); echo done',
        timeoutMs: 30_000,
      });
      expect(r.body).toMatchObject({ stdout: 'done\n', exitCode: 0, timedOut: false });
      expect(Date.now() - started).toBeLessThan(15_000);
      const left = await exec(id, { command: countSleeps(1011, 1012, 1013) });
      expect(left.body.stdout).toBe('0\n');
    },
    SLOW,
  );

  it(
    'process.start keeps its process running after the call returns',
    async () => {
      const id = await api.createSandbox({ template: 'base', ttlSeconds: 600 });
      const started = await api.post(`/v1/sandboxes/${id}/processes`, { command: 'sleep 1021' });
      expect(started.status).toBe(201);
      const running = await exec(id, { command: countSleeps(1021) });
      expect(running.body.stdout).toBe('1\n');
      const info = await api.get(`/v1/sandboxes/${id}/processes/${started.body.id}`);
      expect(info.body.status).toBe('running');
    },
    SLOW,
  );
});
