import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable, Writable } from 'node:stream';
import Dockerode from 'dockerode';
import type { WebSocket } from 'ws';
import { CoreV1Api, Exec, KubeConfig, PortForward, type V1Pod, type V1Status } from '@kubernetes/client-node';
import { startFakeKube, waitFor, type FakeKube } from '@sandboxed/testing';
import { describeWithDocker, dockerUnavailableReason } from '../support/docker-engine.support.js';

/**
 * fake-kube's fidelity, checked by two real clients: kubectl 1.32 (get -l / -o json / -w,
 * exec with and without -it, cp both ways, delete, admission errors) and
 * @kubernetes/client-node's Exec and PortForward (the plugin's own channel-protocol clients).
 */
const BASE = 'sandboxed/base:local';
const PYTHON = 'sandboxed/python:local';
const reason = await dockerUnavailableReason([BASE, PYTHON]);

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function restrictedPod(
  name: string,
  opts: { image?: string; command?: string[]; labels?: Record<string, string> } = {},
): V1Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, labels: opts.labels ?? { app: 'fidelity' } },
    spec: {
      securityContext: {
        runAsNonRoot: true,
        runAsUser: 1000,
        runAsGroup: 1000,
        fsGroup: 1000,
        seccompProfile: { type: 'RuntimeDefault' },
      },
      terminationGracePeriodSeconds: 1,
      containers: [
        {
          name: 'sandbox',
          image: opts.image ?? BASE,
          command: opts.command ?? ['sleep', 'infinity'],
          workingDir: '/workspace',
          securityContext: {
            allowPrivilegeEscalation: false,
            capabilities: { drop: ['ALL'] },
            readOnlyRootFilesystem: true,
            runAsNonRoot: true,
            seccompProfile: { type: 'RuntimeDefault' },
          },
          volumeMounts: [
            { name: 'workspace', mountPath: '/workspace' },
            { name: 'tmp', mountPath: '/tmp' },
          ],
        },
      ],
      volumes: [
        { name: 'workspace', emptyDir: { sizeLimit: '64Mi' } },
        { name: 'tmp', emptyDir: { sizeLimit: '64Mi' } },
      ],
    },
  };
}

describeWithDocker('fake-kube driven by kubectl and @kubernetes/client-node', reason, () => {
  let fake: FakeKube;
  let dir: string;
  let kubeconfigPath: string;
  let kc: KubeConfig;
  const children = new Set<ChildProcess>();

  const env = (): NodeJS.ProcessEnv => ({ KUBECONFIG: kubeconfigPath, PATH: process.env.PATH, HOME: dir });

  function kubectl(args: string[], stdin?: string | Buffer): Promise<Run> {
    return new Promise((resolve) => {
      const child = execFile(
        'kubectl',
        args,
        { env: env(), maxBuffer: 16 * 1024 * 1024, timeout: 60_000 },
        (err, stdout, stderr) => {
          children.delete(child);
          const code = err
            ? typeof (err as { code?: unknown }).code === 'number'
              ? (err as { code: number }).code
              : 1
            : 0;
          resolve({ code, stdout: String(stdout), stderr: String(stderr) });
        },
      );
      children.add(child);
      if (stdin !== undefined) child.stdin!.end(stdin);
    });
  }

  /** A raw HTTPS call with the fake's token and CA, for status codes and bodies. */
  function api(
    method: string,
    path: string,
    body?: unknown,
  ): Promise<{ status: number; json: Record<string, unknown> }> {
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    return new Promise((resolve, reject) => {
      const url = new URL(path, fake.url);
      const req = request(
        url,
        {
          method,
          ca: fake.caPem,
          // Node sends a DELETE body unframed unless told its length.
          headers: {
            authorization: `Bearer ${fake.token}`,
            'content-type': 'application/json',
            ...(payload ? { 'content-length': payload.length } : {}),
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () =>
            resolve({
              status: res.statusCode!,
              json: JSON.parse(Buffer.concat(chunks).toString() || '{}') as Record<string, unknown>,
            }),
          );
        },
      );
      req.on('error', reject);
      req.end(payload);
    });
  }

  async function createReady(pod: V1Pod): Promise<void> {
    const res = await api('POST', '/api/v1/namespaces/sandboxed/pods', pod);
    expect(res.status).toBe(201);
    const wait = await kubectl(['wait', '--for=condition=Ready', `pod/${pod.metadata!.name}`, '--timeout=60s']);
    expect(wait).toMatchObject({ code: 0 });
  }

  beforeAll(async () => {
    fake = await startFakeKube();
    dir = mkdtempSync(join(tmpdir(), 'kubectl-fake-'));
    kubeconfigPath = join(dir, 'kubeconfig');
    fake.writeKubeconfig(kubeconfigPath);
    kc = new KubeConfig();
    kc.loadFromString(fake.kubeconfig());
    writeFileSync(
      join(dir, 'pod.json'),
      JSON.stringify(restrictedPod('kubectl-pod', { labels: { app: 'fidelity', tier: 'one' } })),
    );
    const applied = await kubectl(['apply', '-f', join(dir, 'pod.json')]);
    expect(applied).toMatchObject({ code: 0, stdout: 'pod/kubectl-pod created\n' });
    expect(await kubectl(['wait', '--for=condition=Ready', 'pod/kubectl-pod', '--timeout=60s'])).toMatchObject({
      code: 0,
    });
  }, 90_000);

  afterAll(async () => {
    for (const c of children) c.kill('SIGKILL');
    await fake?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  it('kubectl get pods -l selects by label, prints the server-side Table, and -o json lists Pod objects', async () => {
    const table = await kubectl(['get', 'pods', '-l', 'app=fidelity,tier in (one,two)']);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE\nkubectl-pod\s+1\/1\s+Running\s+0\s+\d+s\n$/);
    expect((await kubectl(['get', 'pods', '-l', 'tier!=one'])).stderr).toBe(
      'No resources found in sandboxed namespace.\n',
    );
    const json = await kubectl(['get', 'pods', '-l', 'app=fidelity', '-o', 'json']);
    const list = JSON.parse(json.stdout) as { kind: string; items: V1Pod[] };
    expect(list.kind).toBe('List');
    expect(list.items.map((p) => [p.kind, p.metadata!.name, p.status!.phase, p.spec!.nodeName])).toEqual([
      ['Pod', 'kubectl-pod', 'Running', 'fake-node'],
    ]);
    expect(list.items[0]!.status!.containerStatuses![0]).toMatchObject({
      name: 'sandbox',
      ready: true,
      state: { running: {} },
    });
    // Table rows were asked for by kubectl's Accept header, -o json by plain JSON.
    expect(
      fake.requests.some((r) => r.path === '/api/v1/namespaces/sandboxed/pods' && r.query.includes('labelSelector')),
    ).toBe(true);
  });

  it('kubectl label --resource-version: a patch at a stale resourceVersion is a 409 Conflict, as warm-pool claims rely on', async () => {
    const rv = JSON.parse((await kubectl(['get', 'pod', 'kubectl-pod', '-o', 'json'])).stdout).metadata.resourceVersion;
    const first = await kubectl(['label', 'pod', 'kubectl-pod', 'claim=first', `--resource-version=${rv}`]);
    expect(first).toMatchObject({ code: 0, stdout: 'pod/kubectl-pod labeled\n' });
    // A second claimant that read the same resourceVersion loses.
    const second = await kubectl([
      'label',
      'pod',
      'kubectl-pod',
      'claim=second',
      '--overwrite',
      `--resource-version=${rv}`,
    ]);
    expect(second.code).not.toBe(0);
    expect(second.stderr).toContain(
      'Operation cannot be fulfilled on pods "kubectl-pod": the object has been modified; please apply your changes to the latest version and try again',
    );
    const after = JSON.parse((await kubectl(['get', 'pod', 'kubectl-pod', '-o', 'json'])).stdout);
    expect(after.metadata.labels.claim).toBe('first');
    expect(Number(after.metadata.resourceVersion)).toBeGreaterThan(Number(rv));
    expect(await kubectl(['annotate', 'pod', 'kubectl-pod', 'note=hi'])).toMatchObject({ code: 0 });
    // The raw API: same rules for a merge patch, and the spec stays immutable but for activeDeadlineSeconds.
    const patch = (body: unknown) =>
      new Promise<{ status: number; json: Record<string, unknown> }>((resolve, reject) => {
        const payload = Buffer.from(JSON.stringify(body));
        const req = request(
          new URL('/api/v1/namespaces/sandboxed/pods/kubectl-pod', fake.url),
          {
            method: 'PATCH',
            ca: fake.caPem,
            headers: {
              authorization: `Bearer ${fake.token}`,
              'content-type': 'application/merge-patch+json',
              'content-length': payload.length,
            },
          },
          (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (c: Buffer) => chunks.push(c));
            res.on('end', () =>
              resolve({ status: res.statusCode!, json: JSON.parse(Buffer.concat(chunks).toString()) }),
            );
          },
        );
        req.on('error', reject);
        req.end(payload);
      });
    expect((await patch({ metadata: { resourceVersion: rv, labels: { claim: 'third' } } })).json).toMatchObject({
      code: 409,
      reason: 'Conflict',
    });
    expect((await patch({ spec: { hostname: 'other' } })).json).toMatchObject({ code: 422, reason: 'Invalid' });
    const removed = await patch({ metadata: { labels: { claim: null }, annotations: { note: null } } });
    expect(removed.status).toBe(200);
    expect((removed.json.metadata as { labels: Record<string, string> }).labels).toEqual({
      app: 'fidelity',
      tier: 'one',
    });
  });

  it('kubectl exec streams stdout and stderr and exits with the command exit code', async () => {
    const run = await kubectl(['exec', 'kubectl-pod', '--', 'sh', '-c', 'echo out; echo err >&2; id -u; pwd; exit 3']);
    expect(run.stdout).toBe('out\n1000\n/workspace\n');
    expect(run.stderr).toBe('err\ncommand terminated with exit code 3\n');
    expect(run.code).toBe(3);
    expect(await kubectl(['exec', 'kubectl-pod', '--', 'true'])).toEqual({ code: 0, stdout: '', stderr: '' });
    const missing = await kubectl(['exec', 'kubectl-pod', '--', 'no-such-binary']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('executable file not found in $PATH');
  });

  it('kubectl exec -i passes piped stdin through and ends it (v5 close)', async () => {
    const run = await kubectl(['exec', '-i', 'kubectl-pod', '--', 'sh', '-c', 'wc -c; echo done'], 'x'.repeat(100_000));
    expect(run).toEqual({ code: 0, stdout: '100000\ndone\n', stderr: '' });
  });

  it('kubectl exec -it allocates a terminal (under script, which gives kubectl a real one)', async () => {
    const run = await new Promise<Run>((resolve) => {
      execFile(
        'script',
        ['-qec', 'kubectl exec -it kubectl-pod -- sh -c "tty; stty size; exit 4"', '/dev/null'],
        { env: { ...env(), TERM: 'xterm', COLUMNS: '100', LINES: '30' }, timeout: 60_000 },
        (err, stdout, stderr) =>
          resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
      );
    });
    expect(run.stdout).toMatch(/\/dev\/pts\/\d+\r?\n/);
    expect(run.stdout).toMatch(/\d+ \d+\r?\n/);
    expect(run.code).toBe(4);
  });

  it('kubectl cp copies a nested tree into the pod and back, byte for byte', async () => {
    const src = join(dir, 'src');
    mkdirSync(join(src, 'a', 'b'), { recursive: true });
    const blob = randomBytes(300_000);
    writeFileSync(join(src, 'a', 'b', 'blob.bin'), blob);
    writeFileSync(join(src, 'top.txt'), 'top\n');
    expect(await kubectl(['cp', src, 'kubectl-pod:/tmp/tree'])).toMatchObject({ code: 0 });
    const listed = await kubectl(['exec', 'kubectl-pod', '--', 'find', '/tmp/tree', '-type', 'f']);
    expect(listed.stdout.split('\n').filter(Boolean).sort()).toEqual(['/tmp/tree/a/b/blob.bin', '/tmp/tree/top.txt']);
    const back = join(dir, 'back');
    expect(await kubectl(['cp', 'kubectl-pod:/tmp/tree', back])).toMatchObject({ code: 0 });
    expect(readFileSync(join(back, 'a', 'b', 'blob.bin')).equals(blob)).toBe(true);
    expect(readFileSync(join(back, 'top.txt'), 'utf8')).toBe('top\n');
  });

  it('kubectl refuses a pod that breaks PodSecurity restricted with the API server message', async () => {
    const pod = restrictedPod('loose');
    delete pod.spec!.containers[0]!.securityContext!.allowPrivilegeEscalation;
    writeFileSync(join(dir, 'loose.json'), JSON.stringify(pod));
    const run = await kubectl(['apply', '-f', join(dir, 'loose.json')]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('Error from server (Forbidden): error when creating');
    expect(run.stderr).toContain(
      'pods "loose" is forbidden: violates PodSecurity "restricted:latest": allowPrivilegeEscalation != false (container "sandbox" must set securityContext.allowPrivilegeEscalation=false)',
    );
    expect((await kubectl(['get', 'pod', 'loose'])).stderr).toBe(
      'Error from server (NotFound): pods "loose" not found\n',
    );
  });

  it('a pod with any hardening field dropped is refused with 403 over HTTP', async () => {
    const drops: Array<[string, (p: V1Pod) => void, string]> = [
      [
        'allowPrivilegeEscalation',
        (p) => delete p.spec!.containers[0]!.securityContext!.allowPrivilegeEscalation,
        'allowPrivilegeEscalation != false',
      ],
      [
        'capabilities.drop',
        (p) => delete p.spec!.containers[0]!.securityContext!.capabilities,
        'unrestricted capabilities',
      ],
      [
        'runAsNonRoot',
        (p) => {
          delete p.spec!.securityContext!.runAsNonRoot;
          delete p.spec!.containers[0]!.securityContext!.runAsNonRoot;
        },
        'runAsNonRoot != true',
      ],
      [
        'seccompProfile',
        (p) => {
          delete p.spec!.securityContext!.seccompProfile;
          delete p.spec!.containers[0]!.securityContext!.seccompProfile;
        },
        'seccompProfile (pod or container "sandbox" must set',
      ],
    ];
    for (const [field, drop, message] of drops) {
      const pod = restrictedPod(`drop-${field.replace(/\W/g, '-').toLowerCase()}`);
      drop(pod);
      const res = await api('POST', '/api/v1/namespaces/sandboxed/pods', pod);
      expect({ field, status: res.status }).toEqual({ field, status: 403 });
      expect(res.json).toMatchObject({
        kind: 'Status',
        apiVersion: 'v1',
        status: 'Failure',
        reason: 'Forbidden',
        code: 403,
        details: { name: pod.metadata!.name, kind: 'pods' },
      });
      expect(res.json.message).toContain(
        `pods "${pod.metadata!.name}" is forbidden: violates PodSecurity "restricted:latest": ${message}`,
      );
    }
    expect(fake.requests.filter((r) => r.method === 'POST' && r.status === 403).length).toBeGreaterThanOrEqual(
      drops.length,
    );
  });

  it('real Status bodies: 401 without the token, 404 for a missing pod, 409 on a uid precondition, 422 for a bad name', async () => {
    const unauth = await new Promise<number>((resolve, reject) => {
      request(new URL('/api/v1/namespaces/sandboxed/pods', fake.url), { ca: fake.caPem }, (res) => {
        res.resume();
        resolve(res.statusCode!);
      })
        .on('error', reject)
        .end();
    });
    expect(unauth).toBe(401);
    expect((await api('GET', '/api/v1/namespaces/sandboxed/pods/nope')).json).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'pods "nope" not found',
      reason: 'NotFound',
      details: { name: 'nope', kind: 'pods' },
      code: 404,
    });
    const conflict = await api('DELETE', '/api/v1/namespaces/sandboxed/pods/kubectl-pod', {
      preconditions: { uid: 'not-the-uid' },
    });
    expect(conflict.status).toBe(409);
    expect(conflict.json).toMatchObject({
      reason: 'Conflict',
      message: expect.stringContaining('Precondition failed: UID in precondition: not-the-uid'),
    });
    const invalid = await api('POST', '/api/v1/namespaces/sandboxed/pods', restrictedPod('Bad_Name'));
    expect(invalid.status).toBe(422);
    expect(invalid.json).toMatchObject({
      reason: 'Invalid',
      details: { kind: 'Pod', causes: [{ field: 'metadata.name', reason: 'FieldValueInvalid' }] },
    });
  });

  it('client-node Exec: exit codes via the status channel, stdin EOF via the v5 close frame', async () => {
    const exec = new Exec(kc);
    const run = async (
      command: string[],
      stdin: Readable | null,
    ): Promise<{ out: string; err: string; status: V1Status; protocol: string }> => {
      let out = '';
      let err = '';
      const stdout = new Writable({ write: (c: Buffer, _e, cb) => ((out += c.toString()), cb()) });
      const stderr = new Writable({ write: (c: Buffer, _e, cb) => ((err += c.toString()), cb()) });
      let status: V1Status | undefined;
      const ws = await exec.exec(
        'sandboxed',
        'kubectl-pod',
        'sandbox',
        command,
        stdout,
        stderr,
        stdin,
        false,
        (s) => (status = s),
      );
      await new Promise<void>((resolve) => ws.on('close', () => resolve()));
      return { out, err, status: status!, protocol: ws.protocol };
    };
    const ok = await run(['sh', '-c', 'cat; echo; echo e >&2'], Readable.from([Buffer.from('from stdin')]));
    expect(ok).toEqual({
      out: 'from stdin\n',
      err: 'e\n',
      status: { metadata: {}, status: 'Success' },
      protocol: 'v5.channel.k8s.io',
    });
    const failed = await run(['sh', '-c', 'exit 7'], null);
    expect(failed.status).toEqual({
      metadata: {},
      status: 'Failure',
      message: 'command terminated with non-zero exit code: error executing command [sh -c exit 7], exit code 7',
      reason: 'NonZeroExitCode',
      details: { causes: [{ reason: 'ExitCode', message: '7' }] },
    });
  });

  it('client-node PortForward reaches a server in the pod, and a refused port reports on the error channel', async () => {
    await createReady(
      restrictedPod('web', {
        image: PYTHON,
        command: ['python3', '-m', 'http.server', '8000', '--bind', '127.0.0.1', '--directory', '/tmp'],
      }),
    );
    await waitFor(
      async () => (await kubectl(['exec', 'web', '--', 'bash', '-c', 'exec 3<>/dev/tcp/127.0.0.1/8000'])).code === 0,
      {
        timeoutMs: 20_000,
        what: 'http.server listening',
      },
    );
    const forward = async (port: number): Promise<{ out: string; err: string }> => {
      let out = '';
      let err = '';
      const output = new Writable({ write: (c: Buffer, _e, cb) => ((out += c.toString()), cb()) });
      const errors = new Writable({ write: (c: Buffer, _e, cb) => ((err += c.toString()), cb()) });
      const input = new PassThrough();
      // retryCount 0 (the default) returns the socket itself.
      const ws = (await new PortForward(kc).portForward(
        'sandboxed',
        'web',
        [port],
        output,
        errors,
        input,
      )) as WebSocket;
      const closed = new Promise<void>((resolve) => ws.on('close', () => resolve()));
      input.write('GET / HTTP/1.0\r\nHost: localhost\r\n\r\n');
      await closed;
      return { out, err };
    };
    const ok = await forward(8000);
    expect(ok.out).toMatch(/^HTTP\/1\.0 200 OK\r\n/);
    expect(ok.out).toContain('Directory listing for /');
    expect(ok.err).toBe('');
    const refused = await forward(8999);
    expect(refused.out).toBe('');
    expect(refused.err).toMatch(/^error forwarding port 8999 to pod [0-9a-f]{64}, uid : .*connect: connection refused/);
  }, 90_000);

  it('an image that is not present locally shows ErrImagePull then ImagePullBackOff in the watch, and the pod stays Pending', async () => {
    const list = await api('GET', '/api/v1/namespaces/sandboxed/pods');
    const rv = (list.json.metadata as { resourceVersion: string }).resourceVersion;
    const events: Array<{ type: string; object: V1Pod }> = [];
    const watch = new Promise<void>((resolve, reject) => {
      const req = request(
        new URL(
          `/api/v1/namespaces/sandboxed/pods?watch=true&resourceVersion=${rv}&fieldSelector=metadata.name%3Dno-image`,
          fake.url,
        ),
        { ca: fake.caPem, headers: { authorization: `Bearer ${fake.token}` } },
        (res) => {
          let buf = '';
          res.on('data', (c: Buffer) => {
            buf += c.toString();
            let nl: number;
            while ((nl = buf.indexOf('\n')) >= 0) {
              const event = JSON.parse(buf.slice(0, nl)) as { type: string; object: V1Pod };
              buf = buf.slice(nl + 1);
              events.push(event);
              if (event.object.status?.containerStatuses?.[0]?.state?.waiting?.reason === 'ImagePullBackOff') {
                req.destroy();
                resolve();
              }
            }
          });
        },
      );
      req.on('error', (e) => (events.length ? undefined : reject(e)));
      req.end();
    });
    const created = await api(
      'POST',
      '/api/v1/namespaces/sandboxed/pods',
      restrictedPod('no-image', { image: 'sandboxed/not-built:nowhere' }),
    );
    expect(created.status).toBe(201);
    await watch;
    const reasons = events.map((e) => e.object.status?.containerStatuses?.[0]?.state?.waiting?.reason).filter(Boolean);
    expect(reasons).toContain('ErrImagePull');
    expect(reasons[reasons.length - 1]).toBe('ImagePullBackOff');
    expect(events[0]!.type).toBe('ADDED');
    expect(events.every((e) => e.object.status!.phase === 'Pending')).toBe(true);
    const rvs = events.map((e) => Number(e.object.metadata!.resourceVersion));
    expect([...rvs].sort((a, b) => a - b)).toEqual(rvs);
    expect(new Set(rvs).size).toBe(rvs.length);
    const pullError = events.find(
      (e) => e.object.status?.containerStatuses?.[0]?.state?.waiting?.reason === 'ErrImagePull',
    )!;
    expect(pullError.object.status!.containerStatuses![0]!.state!.waiting!.message).toContain(
      'failed to pull and unpack image "docker.io/sandboxed/not-built:nowhere"',
    );
    expect((await kubectl(['delete', 'pod', 'no-image'])).code).toBe(0);
  }, 60_000);

  it('kubectl get pods -w reports the deletion, and kubectl delete returns once the pod is gone', async () => {
    const watcher = spawn('kubectl', ['get', 'pods', '-w', '--output-watch-events', '-l', 'app=fidelity,tier=one'], {
      env: env(),
    });
    children.add(watcher);
    let out = '';
    watcher.stdout.on('data', (c: Buffer) => (out += c.toString()));
    await waitFor(() => /ADDED\s+kubectl-pod\s+1\/1\s+Running/.test(out), {
      what: 'the watch listing the pod',
      timeoutMs: 20_000,
    });
    const deleted = await kubectl(['delete', 'pod', 'kubectl-pod']);
    expect(deleted).toMatchObject({ code: 0, stdout: 'pod "kubectl-pod" deleted\n' });
    // Returned only once gone: the next read is a 404.
    expect((await kubectl(['get', 'pod', 'kubectl-pod'])).stderr).toBe(
      'Error from server (NotFound): pods "kubectl-pod" not found\n',
    );
    await waitFor(() => /DELETED\s+kubectl-pod\s/.test(out), {
      what: 'the watch reporting DELETED',
      timeoutMs: 20_000,
    });
    expect(out).toMatch(/MODIFIED\s+kubectl-pod\s+\d\/1\s+Terminating/);
    watcher.kill('SIGTERM');
    expect(
      fake.requests.filter((r) => r.method === 'DELETE' && r.path.endsWith('/pods/kubectl-pod') && r.status === 200),
    ).toHaveLength(1);
  }, 60_000);

  /** A restricted pod whose init container `init` shares the emptyDir `shared` with `sandbox` (read-only there). */
  function initPod(name: string, init: string, restartPolicy?: 'Never'): V1Pod {
    const pod = restrictedPod(name, { labels: { app: 'fidelity', tier: 'init' } });
    const spec = pod.spec!;
    const main = spec.containers[0]!;
    spec.restartPolicy = restartPolicy;
    spec.volumes!.push({ name: 'shared', emptyDir: { sizeLimit: '8Mi' } });
    main.volumeMounts!.push({ name: 'shared', mountPath: '/opt/shared', readOnly: true });
    spec.initContainers = [
      {
        ...main,
        name: 'init',
        command: ['sh', '-c', init],
        volumeMounts: [{ name: 'shared', mountPath: '/opt/shared' }],
      },
    ];
    return pod;
  }

  const podJson = async (name: string): Promise<V1Pod> =>
    JSON.parse((await kubectl(['get', 'pod', name, '-o', 'json'])).stdout) as V1Pod;

  it('init containers run to completion before the containers start, and fill an emptyDir the container mounts read-only', async () => {
    // The init container holds until the test execs into it: meanwhile the pod must not run.
    const init = 'while [ ! -e /opt/shared/go ]; do sleep 0.1; done; echo "from init as $(id -u)" > /opt/shared/out';
    expect((await api('POST', '/api/v1/namespaces/sandboxed/pods', initPod('init-pod', init))).status).toBe(201);
    const running = (await waitFor(
      async () => {
        const p = await podJson('init-pod');
        return p.status?.initContainerStatuses?.[0]?.state?.running ? p : undefined;
      },
      { what: 'the init container running', timeoutMs: 30_000 },
    ))!;
    expect(running.status!.phase).toBe('Pending');
    expect(running.status!.containerStatuses![0]!.state).toEqual({ waiting: { reason: 'PodInitializing' } });
    expect(running.status!.conditions!.find((c) => c.type === 'Initialized')).toMatchObject({
      status: 'False',
      reason: 'ContainersNotInitialized',
      message: 'containers with incomplete status: [init]',
    });
    expect((await kubectl(['get', 'pod', 'init-pod'])).stdout).toMatch(/\ninit-pod\s+0\/1\s+Init:0\/1\s+0\s/);
    // kubectl names the init container; the API server lets exec and logs reach it.
    expect(await kubectl(['exec', 'init-pod', '-c', 'init', '--', 'touch', '/opt/shared/go'])).toMatchObject({
      code: 0,
    });
    expect(await kubectl(['wait', '--for=condition=Ready', 'pod/init-pod', '--timeout=60s'])).toMatchObject({
      code: 0,
    });
    const ready = await podJson('init-pod');
    expect(ready.status!.initContainerStatuses![0]).toMatchObject({
      name: 'init',
      ready: true,
      state: { terminated: { exitCode: 0, reason: 'Completed' } },
    });
    expect(ready.status!.conditions!.find((c) => c.type === 'Initialized')!.status).toBe('True');
    expect((await kubectl(['get', 'pod', 'init-pod'])).stdout).toMatch(/\ninit-pod\s+1\/1\s+Running\s+0\s/);
    const seen = await kubectl(['exec', 'init-pod', '--', 'sh', '-c', 'cat /opt/shared/out; touch /opt/shared/x']);
    expect(seen.stdout).toBe('from init as 1000\n');
    expect(seen.stderr).toContain('Read-only file system');
    expect((await kubectl(['logs', 'init-pod', '-c', 'init'])).code).toBe(0);
    // The shared emptyDir is a Docker volume of the pod's own, gone with the pod.
    const docker = new Dockerode();
    const volumes = async () =>
      ((await docker.listVolumes({ filters: { label: ['sandboxed.fake-kube.pod=sandboxed/init-pod'] } })).Volumes ?? [])
        .length;
    expect(await volumes()).toBe(1);
    expect((await kubectl(['delete', 'pod', 'init-pod'])).code).toBe(0);
    expect(await volumes()).toBe(0);
  }, 90_000);

  it('a failing init container keeps the pod from running: Init:Error, then Init:CrashLoopBackOff; under restartPolicy Never the pod fails', async () => {
    expect((await api('POST', '/api/v1/namespaces/sandboxed/pods', initPod('init-fails', 'exit 3'))).status).toBe(201);
    const crashing = (await waitFor(
      async () => {
        const p = await podJson('init-fails');
        return p.status?.initContainerStatuses?.[0]?.state?.waiting?.reason === 'CrashLoopBackOff' ? p : undefined;
      },
      { what: 'Init:CrashLoopBackOff', timeoutMs: 30_000 },
    ))!;
    const init = crashing.status!.initContainerStatuses![0]!;
    expect(init.lastState!.terminated).toMatchObject({ exitCode: 3, reason: 'Error' });
    expect(init.restartCount).toBeGreaterThanOrEqual(1);
    expect(crashing.status!.phase).toBe('Pending');
    expect(crashing.status!.containerStatuses![0]!.state).toEqual({ waiting: { reason: 'PodInitializing' } });
    expect(crashing.status!.conditions!.find((c) => c.type === 'Initialized')!.status).toBe('False');
    expect((await kubectl(['get', 'pod', 'init-fails'])).stdout).toMatch(
      /\ninit-fails\s+0\/1\s+Init:CrashLoopBackOff\s+1 \(\d+s ago\)\s/,
    );
    expect((await kubectl(['delete', 'pod', 'init-fails'])).code).toBe(0);

    expect(
      (await api('POST', '/api/v1/namespaces/sandboxed/pods', initPod('init-never', 'exit 4', 'Never'))).status,
    ).toBe(201);
    const failed = (await waitFor(
      async () => {
        const p = await podJson('init-never');
        return p.status?.phase === 'Failed' ? p : undefined;
      },
      { what: 'phase Failed', timeoutMs: 30_000 },
    ))!;
    expect(failed.status!.initContainerStatuses![0]!.state!.terminated).toMatchObject({ exitCode: 4, reason: 'Error' });
    expect(failed.status!.containerStatuses![0]!.state).toEqual({ waiting: { reason: 'PodInitializing' } });
    expect((await kubectl(['get', 'pod', 'init-never'])).stdout).toMatch(/\ninit-never\s+0\/1\s+Init:Error\s+0\s/);
    expect((await kubectl(['delete', 'pod', 'init-never'])).code).toBe(0);
  }, 90_000);

  it('quota, Unschedulable, RunContainerError/CrashLoopBackOff and activeDeadlineSeconds, seen through client-node', async () => {
    const small = await startFakeKube({ podQuota: { sandboxed: 3 }, nodeAllocatable: { cpu: '1', memory: '1Gi' } });
    try {
      const skc = new KubeConfig();
      skc.loadFromString(small.kubeconfig());
      const core = skc.makeApiClient(CoreV1Api);
      const phaseOf = async (name: string): Promise<V1Pod> => core.readNamespacedPod({ namespace: 'sandboxed', name });

      const big = restrictedPod('too-big');
      big.spec!.containers[0]!.resources = { requests: { cpu: '2' } };
      await core.createNamespacedPod({ namespace: 'sandboxed', body: big });
      const pending = (await waitFor(
        async () => {
          const p = await phaseOf('too-big');
          return p.status?.conditions?.find((c) => c.type === 'PodScheduled' && c.reason === 'Unschedulable')
            ? p
            : undefined;
        },
        { what: 'Unschedulable', timeoutMs: 10_000 },
      ))!;
      expect(pending.status!.phase).toBe('Pending');
      expect(pending.status!.conditions![0]!.message).toContain('Insufficient cpu');

      await core.createNamespacedPod({
        namespace: 'sandboxed',
        body: restrictedPod('bad-command', { command: ['/no/such/binary'] }),
      });
      const deadline = restrictedPod('deadline');
      deadline.spec!.activeDeadlineSeconds = 2;
      await core.createNamespacedPod({ namespace: 'sandboxed', body: deadline });
      const quota = await core.createNamespacedPod({ namespace: 'sandboxed', body: restrictedPod('over-quota') }).then(
        () => undefined,
        (err: { code?: number; body?: string }) => err,
      );
      expect(quota?.code).toBe(403);
      expect(JSON.parse(quota!.body!)).toMatchObject({
        reason: 'Forbidden',
        message:
          'pods "over-quota" is forbidden: exceeded quota: pod-quota, requested: pods=1, used: pods=3, limited: pods=3',
      });

      const crashing = (await waitFor(
        async () => {
          const p = await phaseOf('bad-command');
          const w = p.status?.containerStatuses?.[0]?.state?.waiting;
          return w?.reason === 'CrashLoopBackOff' ? p : undefined;
        },
        { what: 'CrashLoopBackOff', timeoutMs: 15_000 },
      ))!;
      expect(crashing.status!.containerStatuses![0]!.lastState!.terminated).toMatchObject({
        reason: 'StartError',
        exitCode: 128,
      });
      expect(crashing.status!.containerStatuses![0]!.lastState!.terminated!.message).toContain(
        'no such file or directory',
      );

      const failed = (await waitFor(
        async () => {
          const p = await phaseOf('deadline');
          return p.status?.phase === 'Failed' ? p : undefined;
        },
        { what: 'DeadlineExceeded', timeoutMs: 15_000 },
      ))!;
      expect(failed.status).toMatchObject({
        reason: 'DeadlineExceeded',
        message: 'Pod was active on the node longer than the specified deadline',
      });
      await waitFor(async () => (await phaseOf('deadline')).status?.containerStatuses?.[0]?.state?.terminated, {
        what: 'the deadline pod container killed',
        timeoutMs: 10_000,
      });
    } finally {
      await small.close();
    }
  }, 60_000);
});
