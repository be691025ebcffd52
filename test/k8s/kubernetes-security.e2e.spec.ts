import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { CoreV1Api, KubeConfig, type V1Pod } from '@kubernetes/client-node';
import { agentSourceHash } from '@sandboxed/agent';
import { LOCAL_IMAGES } from '@sandboxed/plugin-sdk';
import { HttpClient, restrictedViolations, startTestGateway, type TestGateway } from '@sandboxed/testing';
import { describeWithDocker } from '../support/docker-engine.support.js';
import { kubeTarget } from '../support/kube-fake.support.js';

const ALICE = { authorization: 'Bearer k_alice' };
const BOB = { authorization: 'Bearer k_bob' };
// Every pod also installs the agent from the agent image (option agentImage), as an operator would set it.
const AGENT_IMAGE = `sandboxed/agent:${await agentSourceHash()}`;
const kube = await kubeTarget([LOCAL_IMAGES.base, AGENT_IMAGE], { agentImage: AGENT_IMAGE });

async function readPod(name: string): Promise<V1Pod> {
  const config = new KubeConfig();
  config.loadFromString(kube.fake().kubeconfig());
  return config.makeApiClient(CoreV1Api).readNamespacedPod({ name, namespace: 'sandboxed' });
}

/**
 * Hostile input on the kubernetes runtime's spawn paths (pod create, pods/exec, archives): nothing
 * a caller sends runs with more privilege than the sandbox user, changes the pod spec, or reaches
 * a shell as code.
 */
describeWithDocker('kubernetes runtime against hostile input (fake API server)', kube.unavailable, () => {
  let gw: TestGateway;
  let alice: HttpClient;
  let id: string;
  const exec = (body: Record<string, unknown>) => alice.post(`/v1/sandboxes/${id}/exec`, body);

  beforeAll(async () => {
    gw = await startTestGateway({
      onlyPlugins: ['capability-shell', 'capability-files', 'transport-rest'],
      extraPlugins: [kube.plugin],
      config: { runtime: { default: 'kubernetes' }, auth: { apiKeys: { k_alice: 'alice', k_bob: 'bob' } } },
    });
    alice = new HttpClient(gw.url, ALICE);
    id = await alice.createSandbox({
      template: 'base',
      env: { LD_PRELOAD: '/workspace/evil.so', INJECT: '$(touch /tmp/pwned-create)' },
      labels: { 'app.kubernetes.io/managed-by': 'someone-else', team: 'x,sandboxed.dev/owner!=y' },
    });
  }, 60_000);
  afterAll(async () => gw?.close(), 60_000);

  it('creates a pod that passes Pod Security restricted whatever the request carried, labels and all', async () => {
    const pod = await readPod(`sandbox-${id}`);
    expect(restrictedViolations(pod)).toEqual([]);
    expect(pod.spec).toMatchObject({ automountServiceAccountToken: false, enableServiceLinks: false });
    expect(pod.spec!.volumes!.every((v) => Object.keys(v).sort().join() === 'emptyDir,name')).toBe(true);
    // Caller labels are data in an annotation, never pod labels a selector or policy could match.
    expect(pod.metadata!.labels!['app.kubernetes.io/managed-by']).toBe('sandboxed');
    expect(Object.keys(pod.metadata!.labels!).sort()).toEqual(
      [
        'app.kubernetes.io/managed-by',
        'app.kubernetes.io/name',
        'sandboxed.dev/egress',
        'sandboxed.dev/owner',
        'sandboxed.dev/sandbox',
        'sandboxed.dev/template',
      ].sort(),
    );
    expect((await alice.get(`/v1/sandboxes/${id}`)).body.labels).toEqual({
      'app.kubernetes.io/managed-by': 'someone-else',
      team: 'x,sandboxed.dev/owner!=y',
    });
    expect((await new HttpClient(gw.url, BOB).get(`/v1/sandboxes/${id}`)).status).toBe(404);
  });

  it('takes the agent image and its install path from gateway config only: a create naming them is a 400, and creates nothing', async () => {
    const before = await kube.podNames();
    for (const extra of [
      { agentImage: 'evil/agent:1' },
      { preinstalledAgentPath: '/workspace/evil' },
      { initContainers: [{ name: 'x', image: 'evil/agent:1' }] },
      { volumes: [{ name: 'host', hostPath: { path: '/' } }] },
      { agent: { image: 'evil/agent:1' } },
    ]) {
      const res = await alice.post('/v1/sandboxes', { template: 'base', ...extra });
      expect(res.status).toBe(400);
      expect(res.body.error.message).toContain(`${Object.keys(extra)[0]}: unknown field`);
    }
    expect((await kube.podNames()).sort()).toEqual(before.sort());
    // The pod made from the hostile create above: one init container, the configured image and command.
    const pod = await readPod(`sandbox-${id}`);
    expect(pod.spec!.initContainers!.map((c) => [c.name, c.image, c.command])).toEqual([
      ['install-agent', AGENT_IMAGE, ['/sandbox-agent', '--install', '/opt/sandboxed-agent/sandbox-agent']],
    ]);
    expect(pod.spec!.initContainers![0]!.env).toBeUndefined();
    expect(pod.status!.initContainerStatuses![0]!.state!.terminated).toMatchObject({
      exitCode: 0,
      reason: 'Completed',
    });
    const mounts = pod.spec!.containers[0]!.volumeMounts!.filter((m) => m.name === 'sandboxed-agent');
    expect(mounts).toEqual([{ name: 'sandboxed-agent', mountPath: '/opt/sandboxed-agent', readOnly: true }]);
  });

  it('runs every process in the pod as the sandbox user, with no capabilities and no_new_privs', async () => {
    const res = await exec({
      command:
        'for f in /proc/[0-9]*/status; do awk \'/^Uid:|^CapEff:|^NoNewPrivs:/{printf "%s %s ", $1, $2} END{print ""}\' "$f"; done',
      env: { LD_PRELOAD: '/workspace/nope.so', BASH_ENV: '/workspace/x' },
    });
    expect(res.status).toBe(200);
    const lines = (res.body.stdout as string).trim().split('\n').filter(Boolean);
    expect(lines.length).toBeGreaterThan(2);
    for (const line of lines) expect(line.trim()).toBe('Uid: 1000 CapEff: 0000000000000000 NoNewPrivs: 1');
  });

  it('passes env values and argv as data: no shell runs what they hold', async () => {
    const values = {
      A: '$(touch /tmp/pwned-a)',
      B: "'; touch /tmp/pwned-b; '",
      C: '`touch /tmp/pwned-c`\nsecond line',
      D: '" && touch /tmp/pwned-d && "',
    };
    const res = await alice.post(`/v1/sandboxes/${id}/exec`, {
      argv: ['printenv', 'A', 'B', 'C', 'D', 'INJECT'],
      env: values,
    });
    expect(res.body.stdout).toBe(`${Object.values(values).join('\n')}\n$(touch /tmp/pwned-create)\n`);
    const argv = await alice.post(`/v1/sandboxes/${id}/exec`, { argv: ['printf', '%s|', '$(id)', ';id', '-n'] });
    expect(argv.body.stdout).toBe('$(id)|;id|-n|');
    expect((await exec({ command: 'ls /tmp/pwned-* 2>/dev/null | wc -l' })).body.stdout).toBe('0\n');
  });

  it('refuses hostile env names, cwd and paths with a 400 before anything reaches the API server', async () => {
    for (const env of [{ 'BAD=NAME': 'x' }, { 'A B': 'x' }, { '': 'x' }, { 'X;id': 'x' }]) {
      const res = await exec({ command: 'true', env });
      expect(res.status).toBe(400);
    }
    for (const cwd of ['/proc/self/fd/3', '/proc/1/root', '/sys/kernel', '/dev/shm']) {
      const res = await exec({ command: 'true', cwd });
      expect(res.status).toBe(400);
      expect(res.body.error.message).toMatch(/not allowed/);
    }
    const dir = await exec({ command: "mkdir -p '/workspace/a b$(id)' && echo ok" });
    expect(dir.body.stdout).toBe('ok\n');
    const there = await exec({ command: 'pwd', cwd: '/workspace/a b$(id)' });
    expect(there.body.stdout).toBe('/workspace/a b$(id)\n');
  });

  it('keeps archive writes inside the sandbox, as the sandbox user: .. and absolute names land in the pod', async () => {
    const write = await alice.post(`/v1/sandboxes/${id}/files/write`, {
      path: '../../tmp/escape.txt',
      content: 'inside',
    });
    expect(write.status).toBe(200);
    const res = await exec({ command: 'stat -c "%u %n" /tmp/escape.txt; cat /tmp/escape.txt' });
    expect(res.body.stdout).toBe('1000 /tmp/escape.txt\ninside');
    const readOnly = await alice.post(`/v1/sandboxes/${id}/files/write`, { path: '/etc/evil', content: 'x' });
    expect(readOnly.status).toBeGreaterThanOrEqual(400);
    expect(readOnly.status).toBeLessThan(500);
  });
});
