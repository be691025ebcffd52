import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { createDockerClient, LOCAL_IMAGES } from '@sandboxed/runtime-docker';
import { HttpClient, startTestGateway, waitFor, type TestGateway } from '@sandboxed/testing';
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

  // Item 12: an exec or a write racing a DELETE is a 404 or a 409, never a 500, and an exec that
  // answers 200 really ran (not a runc failure such as "cannot exec in a deleted state", exit 126).
  it(
    'answers execs and writes racing a DELETE with 404 or 409, and a 200 exec really ran',
    async () => {
      const wrong: Array<{ status: number; body: unknown }> = [];
      for (let round = 0; round < 4; round++) {
        const id = await api.createSandbox({ template: 'base', ttlSeconds: 600 });
        const sb = `/v1/sandboxes/${id}`;
        const early = Array.from({ length: 8 }, (_, i) => exec(id, { command: `echo ${i}` }));
        const writes = Array.from({ length: 4 }, (_, i) =>
          api.post(`${sb}/files/write`, { path: `f${i}.txt`, content: 'x' }),
        );
        const del = api.delete(sb);
        const late = Array.from({ length: 8 }, (_, i) => exec(id, { command: `echo ${i}` }));
        const execs = await Promise.all([...early, ...late]);
        for (const [i, r] of execs.entries()) {
          const ran = r.status === 200 && r.body.stdout === `${i % 8}\n` && r.body.exitCode === 0;
          if (!ran && r.status !== 404 && r.status !== 409) wrong.push({ status: r.status, body: r.body });
          // Item 17: an error names the sandbox, never the engine's full container id.
          if (r.status !== 200 && /[0-9a-f]{64}/.test(JSON.stringify(r.body)))
            wrong.push({ status: r.status, body: r.body });
        }
        for (const r of await Promise.all(writes)) {
          if (![200, 404, 409].includes(r.status) || /[0-9a-f]{64}/.test(JSON.stringify(r.body))) {
            wrong.push({ status: r.status, body: r.body });
          }
        }
        expect([200, 204]).toContain((await del).status);
      }
      expect(wrong).toEqual([]);
    },
    SLOW,
  );

  // Item 6: /workspace and /tmp are bounded by resources.diskMb; nothing else on the image is writable.
  it(
    'bounds /workspace and /tmp by resources.diskMb: writing past it is ENOSPC inside the sandbox',
    async () => {
      const created = await api.post('/v1/sandboxes', {
        template: 'base',
        ttlSeconds: 600,
        resources: { diskMb: 32, memoryMb: 256 },
      });
      expect(created.status).toBe(201);
      expect(created.body.resources).toMatchObject({ diskMb: 32 });
      const id: string = created.body.id;
      expect((await api.get(`/v1/sandboxes/${id}`)).body.resources).toMatchObject({ diskMb: 32 });
      for (const dir of ['/workspace', '/tmp', '/var/tmp']) {
        const r = await exec(id, { command: `head -c 48M /dev/zero > ${dir}/fill; echo "exit $?"; rm -f ${dir}/fill` });
        expect({ dir, out: r.body.stdout, err: r.body.stderr }).toEqual({
          dir,
          out: 'exit 1\n',
          err: expect.stringContaining('No space left on device'),
        });
      }
      // Within the limit, files work as ever, and the files API sees them.
      expect((await exec(id, { command: 'head -c 8M /dev/zero > /workspace/ok && echo ok' })).body.stdout).toBe('ok\n');
      const written = await api.post(`/v1/sandboxes/${id}/files/write`, { path: '/tmp/note.txt', content: 'kept' });
      expect(written.status).toBe(200);
      expect((await exec(id, { command: 'cat /tmp/note.txt' })).body.stdout).toBe('kept');
      const readOnly = await api.post(`/v1/sandboxes/${id}/files/write`, { path: '/etc/note.txt', content: 'x' });
      expect(readOnly.status).toBeGreaterThanOrEqual(400);
      expect(readOnly.status).toBeLessThan(500);
      // Every other place the image leaves writable is read-only, so nothing fills the engine's disk.
      const elsewhere = await exec(id, {
        command:
          'for d in /run/lock /var/lock /home /usr/local /opt; do touch $d/x 2>/dev/null && echo "wrote $d"; done; echo done',
      });
      expect(elsewhere.body.stdout).toBe('done\n');
    },
    SLOW,
  );

  // Item 16: the exec cwd never reaches runc unchecked.
  it(
    'refuses a cwd under /proc, /sys or /dev, or with a NUL byte, with a 400 that says why',
    async () => {
      const id = await api.createSandbox({ template: 'base', ttlSeconds: 600 });
      for (const cwd of [
        '/proc/self/fd/7',
        '../../proc',
        '/workspace/../proc/1/cwd',
        '/sys/fs/cgroup',
        '/dev',
        '/dev/',
      ]) {
        const r = await exec(id, { command: 'pwd', cwd });
        expect({ cwd, status: r.status }).toEqual({ cwd, status: 400 });
        expect(r.body.error.code).toBe('invalid_argument');
        expect(r.body.error.message).toMatch(/cwd .*(\/proc|\/sys|\/dev).*not allowed/);
      }
      const nul = await exec(id, { command: 'pwd', cwd: 'a\u0000b' });
      expect(nul.status).toBe(400);
      expect(nul.body.error.message).toMatch(/cwd.*NUL/);
      // Allowed: normalised paths inside the sandbox, such as /tmp or a workspace folder named "proc".
      expect((await exec(id, { command: 'mkdir -p proc/x && pwd', cwd: '.' })).body.stdout).toBe('/workspace\n');
      expect((await exec(id, { command: 'pwd', cwd: 'proc/x/../x/' })).body.stdout).toBe('/workspace/proc/x\n');
      expect((await exec(id, { command: 'pwd', cwd: '/tmp' })).body.stdout).toBe('/tmp\n');
      const missing = await exec(id, { command: 'pwd', cwd: 'no/such/dir' });
      expect(missing.body.exitCode).not.toBe(0);
      expect(missing.body.stdout + missing.body.stderr).toMatch(/\/workspace\/no\/such\/dir/);
    },
    SLOW,
  );
});

// Item 11: bridged sandboxes have no egress policy yet. Bridge is refused at boot unless the operator
// sets allowUnrestrictedBridge; then they share a network of their own on which sandboxes cannot
// reach one another.
describeWithDocker('docker runtime: opt-in bridge networking (issue 8, item 11)', reason, () => {
  const bridged = { image: LOCAL_IMAGES.python, network: 'bridge', language: 'python' };
  const gatewayWith = (options: Record<string, unknown>, apiKeys: Record<string, string> = {}) =>
    startTestGateway({
      onlyPlugins: ['capability-shell', 'capability-processes', 'transport-rest'],
      extraPlugins: [{ use: 'runtime-docker', options }],
      config: { runtime: { default: 'docker' }, sandbox: { reapIntervalSeconds: 3600 }, auth: { apiKeys } },
    });

  it('refuses to boot with a bridged template unless allowUnrestrictedBridge is set, and says why', async () => {
    const err = await gatewayWith({ templates: { web: bridged } }).then(
      async (gw) => {
        await gw.close();
        return undefined;
      },
      (e: unknown) => e as Error,
    );
    expect(err?.message).toMatch(/runtime-docker/);
    expect(err?.message).toMatch(/templates\.web\.network: bridge/);
    expect(err?.message).toMatch(/allowUnrestrictedBridge: true/);
  });

  it(
    'with allowUnrestrictedBridge, puts bridged sandboxes on their own network where they cannot reach each other',
    async () => {
      const key = `sk_dbr_${randomBytes(12).toString('hex')}`;
      const gw = await gatewayWith(
        { allowUnrestrictedBridge: true, templates: { web: bridged } },
        { [key]: `dbr-${randomBytes(4).toString('hex')}` },
      );
      try {
        const api = new HttpClient(gw.url, { 'x-api-key': key });
        const a = await api.createSandbox({ template: 'web', ttlSeconds: 600 });
        const b = await api.createSandbox({ template: 'web', ttlSeconds: 600 });
        const run = (id: string, command: string, timeoutMs = 20_000) =>
          api.post(`/v1/sandboxes/${id}/exec`, { command, timeoutMs });
        const ipOf = async (id: string) =>
          (
            await run(
              id,
              'python3 -c \'import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.connect(("192.0.2.1", 9)); print(s.getsockname()[0])\'',
            )
          ).body.stdout.trim();
        for (const id of [a, b]) {
          const info = await createDockerClient().docker.getContainer(`sandboxed-${id}`).inspect();
          expect(info.HostConfig.NetworkMode).toBe('sandboxed-bridge');
        }
        const ipA = await ipOf(a);
        expect(ipA).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
        const server = await api.post(`/v1/sandboxes/${a}/processes`, {
          command: 'python3 -m http.server 8000 --bind 0.0.0.0',
        });
        expect(server.status).toBe(201);
        const probe = `python3 -c 'import socket; socket.create_connection(("${ipA}", 8000), 3); print("open")' 2>&1 | tail -1`;
        // The server answers on its address inside its own sandbox...
        await waitFor(async () => (await run(a, probe)).body.stdout.trim() === 'open', {
          timeoutMs: 15_000,
          what: 'the server in sandbox A',
        });
        // ...but not from the other sandbox on the same network.
        const other = await run(b, probe);
        expect(other.body.stdout.trim()).not.toBe('open');
        expect(other.body.stdout).toMatch(/timed out|refused|unreachable/i);
      } finally {
        await gw.close();
      }
    },
    SLOW,
  );
});
