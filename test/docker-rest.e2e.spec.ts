import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { createDockerClient } from '@sandboxed/runtime-docker';
import { HttpClient, startTestGateway, waitFor, type TestGateway, OpenApiResponseValidator } from '@sandboxed/testing';
import { describeWithDocker, dockerUnavailableReason } from './support/docker-engine.support.js';
import { spawnGateway, type GatewayProcess } from './support/gateway.process.js';

const SLOW = 60_000;
const RESTART = 180_000;
const reason = await dockerUnavailableReason();

/** An API key of its own, so listings show exactly this file's sandboxes on a shared engine. */
function ownPrincipal(tag: string): { key: string; principal: string } {
  return { key: `sk_${tag}_${randomBytes(12).toString('hex')}`, principal: `${tag}-${randomBytes(4).toString('hex')}` };
}

describeWithDocker('REST on the docker runtime', reason, () => {
  let gw: TestGateway;
  let api: HttpClient;
  const { key, principal } = ownPrincipal('docker-rest');
  beforeAll(async () => {
    gw = await startTestGateway({
      onlyPlugins: ['capability-shell', 'capability-files', 'transport-rest'],
      extraPlugins: ['runtime-docker'],
      // A long reap interval: this gateway must not reap other test files' expired sandboxes.
      config: {
        runtime: { default: 'docker' },
        sandbox: { reapIntervalSeconds: 3600 },
        auth: { apiKeys: { [key]: principal } },
      },
    });
    api = new HttpClient(gw.url, { 'x-api-key': key }).validatingResponses(
      await OpenApiResponseValidator.forGateway(gw.url),
    );
  }, SLOW);
  afterAll(async () => gw?.close(), SLOW);

  it(
    'create → exec → write → read → grep → edit → glob → delete',
    async () => {
      const created = await api.post('/v1/sandboxes', {
        template: 'python',
        labels: { project: 'walkthrough' },
        ttlSeconds: 600,
      });
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({
        template: 'python',
        status: 'running',
        runtime: 'docker',
        workdir: '/workspace',
      });
      const id: string = created.body.id;
      const sb = `/v1/sandboxes/${id}`;

      const listed = await api.get('/v1/sandboxes?labels=project=walkthrough');
      expect(listed.body.sandboxes.map((s: { id: string }) => s.id)).toEqual([id]);

      const exec = await api.post(`${sb}/exec`, {
        command: 'echo hi from $(hostname) as $(id -u); echo oops >&2; exit 2',
      });
      expect(exec.body).toMatchObject({ stdout: 'hi from sandbox as 1000\n', stderr: 'oops\n', exitCode: 2 });

      const write = await api.post(`${sb}/files/write`, {
        path: 'src/app.py',
        content: 'def greet():\n    return "hi"\n\nprint(greet())\n',
      });
      expect(write.status).toBe(200);
      expect(write.body.path).toBe('/workspace/src/app.py');
      expect((await api.post(`${sb}/files/read`, { path: '/workspace/src/app.py' })).body.content).toContain(
        'return "hi"',
      );

      const grep = await api.post(`${sb}/files/grep`, { pattern: 'ret(urn)?\\s+"\\w+"', path: '.' });
      expect(grep.body.matches).toEqual([{ path: '/workspace/src/app.py', line: 2, text: '    return "hi"' }]);

      const edit = await api.post(`${sb}/files/edit`, {
        path: 'src/app.py',
        oldText: 'return "hi"',
        newText: 'return "hello"',
      });
      expect(edit.status).toBe(200);
      expect((await api.post(`${sb}/exec`, { command: 'python3 src/app.py' })).body.stdout).toBe('hello\n');
      expect((await api.post(`${sb}/files/edit`, { path: 'src/app.py', oldText: 'e', newText: 'E' })).status).toBe(409);

      await api.post(`${sb}/files/write`, { path: 'src/lib/util.py', content: 'x = 1\n' });
      await api.post(`${sb}/files/write`, { path: 'README.md', content: '# hi\n' });
      const glob = await api.post(`${sb}/files/glob`, { pattern: '**/*.py' });
      expect([...glob.body.matches].sort()).toEqual(
        ['src/app.py', 'src/lib/util.py'].map((p) => expect.stringContaining(p)),
      );
      expect(glob.body.matches).toHaveLength(2);

      // Files see the container's whole file system, as exec does (issue 9, item 7).
      const passwd = (await api.post(`${sb}/exec`, { command: 'cat /etc/passwd' })).body.stdout;
      expect((await api.post(`${sb}/files/read`, { path: '../../etc/passwd' })).body.content).toBe(passwd);
      expect((await api.post(`${sb}/files/write`, { path: '/etc/passwd', content: 'x' })).status).toBe(403);

      expect((await api.delete(sb)).status).toBe(204);
      expect((await api.get(sb)).status).toBe(404);
      expect((await api.post(`${sb}/exec`, { command: 'true' })).status).toBe(404);
    },
    SLOW,
  );

  it.each([
    ['privileged mode', { privileged: true }],
    ['host binds', { binds: ['/:/host'] }],
    ['mounts', { mounts: [{ type: 'bind', source: '/var/run/docker.sock', target: '/var/run/docker.sock' }] }],
    ['a raw HostConfig', { hostConfig: { Privileged: true, Binds: ['/:/host'] } }],
    ['the host network', { network: 'host' }],
    ['extra capabilities', { capAdd: ['SYS_ADMIN'] }],
    ['an arbitrary image', { image: 'docker:dind' }],
    ['privileges inside resources', { resources: { cpu: 1, privileged: true } }],
    ['a path as the template', { template: '../../host' }],
    ['the reserved owner label', { labels: { 'sandboxed.owner': 'someone-else' } }],
  ])('refuses a sandbox asking for %s with a 400, creating nothing', async (_what, body) => {
    const res = await api.post('/v1/sandboxes', body);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('invalid_argument');
    expect((await api.get('/v1/sandboxes')).body.count).toBe(0);
  });

  it('answers an unknown template with a 400 that lists the templates', async () => {
    const res = await api.post('/v1/sandboxes', { template: 'cobol' });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toMatch(
      /Unknown template "cobol" \(available: base, python, node, browser, go, java, rust, ruby, php/,
    );
  });

  it('finds no template on Object.prototype', async () => {
    // `constructor` is a valid template name, so only the runtime's lookup can refuse it.
    const res = await api.post('/v1/sandboxes', { template: 'constructor' });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toContain('Unknown template "constructor"');
    for (const template of ['__proto__', 'toString']) {
      expect((await api.post('/v1/sandboxes', { template })).status).toBe(400);
    }
    expect((await api.get('/v1/sandboxes')).body.count).toBe(0);
  });
});

describeWithDocker('a docker gateway killed with SIGKILL, then restarted', reason, () => {
  const { docker } = createDockerClient();
  const { key, principal } = ownPrincipal('restart');
  const env = {
    SANDBOXED_PROFILE: 'docker',
    SANDBOXED_AUTH__API_KEYS: JSON.stringify({ [key]: principal }),
    // Only the boot passes may reap here (and this gateway must not reap other tests' sandboxes).
    SANDBOXED_SANDBOX__REAP_INTERVAL_SECONDS: '3600',
  };
  const gateways: GatewayProcess[] = [];
  const created: string[] = [];
  const containerState = (id: string) =>
    docker
      .getContainer(`sandboxed-${id}`)
      .inspect()
      .then(
        (c) => c.State.Status,
        () => 'gone',
      );

  afterAll(async () => {
    for (const g of gateways) await g.kill('SIGKILL');
    for (const id of created)
      await docker
        .getContainer(`sandboxed-${id}`)
        .remove({ force: true, v: true })
        .catch(() => undefined);
  }, SLOW);

  it(
    'adopts the running sandbox, with its files, and reaps the expired one',
    async () => {
      const first = await spawnGateway({ env });
      gateways.push(first);
      const api1 = new HttpClient(first.url, { 'x-api-key': key });
      const live = await api1.createSandbox({ labels: { role: 'live' }, ttlSeconds: 3600 });
      const short = (await api1.post('/v1/sandboxes', { labels: { role: 'short' }, ttlSeconds: 2 })).body;
      created.push(live, short.id);
      expect((await api1.post(`/v1/sandboxes/${live}/exec`, { command: 'echo kept > keep.txt' })).body.exitCode).toBe(
        0,
      );

      expect(await first.kill('SIGKILL')).toBe('SIGKILL');
      // Nothing cleaned up on the way down: both containers are still there.
      expect(await containerState(live)).toBe('running');
      expect(await containerState(short.id)).toBe('running');
      await waitFor(() => Date.now() > Date.parse(short.expiresAt) + 100, { what: 'the short sandbox to expire' });

      const second = await spawnGateway({ env });
      gateways.push(second);
      const api2 = new HttpClient(second.url, { 'x-api-key': key });
      const reconciled = /adopted \d+ sandbox\(es\)(?: \(([^)]*)\))?/.exec(second.output());
      expect(reconciled?.[1]?.split(', ')).toContain(live);

      const got = await api2.get(`/v1/sandboxes/${live}`);
      expect(got.status).toBe(200);
      expect(got.body).toMatchObject({ id: live, runtime: 'docker', labels: { role: 'live' } });
      expect((await api2.post(`/v1/sandboxes/${live}/exec`, { command: 'cat keep.txt' })).body.stdout).toBe('kept\n');

      await waitFor(async () => (await containerState(short.id)) === 'gone', {
        what: 'the expired sandbox to be reaped',
      });
      // Reaped by this gateway's boot (runtime reconcile or the kernel's first reaper pass).
      expect(second.output()).toMatch(
        new RegExp(`(reaped \\d+ \\([^)]*${short.id}|Reaped expired sandbox ${short.id})`),
      );
      expect((await api2.get(`/v1/sandboxes/${short.id}`)).status).toBe(404);
      expect((await api2.get('/v1/sandboxes')).body.sandboxes.map((s: { id: string }) => s.id)).toEqual([live]);

      expect((await api2.delete(`/v1/sandboxes/${live}`)).status).toBe(204);
      expect(await containerState(live)).toBe('gone');
    },
    RESTART,
  );
});
