import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { LOCAL_IMAGES } from '@sandboxed/runtime-docker';
import { HttpClient, startTestGateway, type HttpResult, type TestGateway } from '@sandboxed/testing';
import { describeWithDocker, dockerUnavailableReason } from './support/docker-engine.support.js';
import { startFilesGateway } from './support/files.gateway.js';
import { kubeTarget } from './support/kube-fake.support.js';

const SLOW = 60_000;
const reason = await dockerUnavailableReason([LOCAL_IMAGES.base]);
const kube = await kubeTarget([LOCAL_IMAGES.base]);
const READ_ONLY = /read-only file system|permission denied/i;

/**
 * Files operations see the sandbox's whole file system, as its own commands do: absolute paths
 * anywhere in it work, and nothing of the host is reachable (issue 9, item 7).
 */
function wholeRootSuite(runtime: 'local' | 'docker' | 'kubernetes'): void {
  let gw: TestGateway;
  let api: HttpClient;
  let prefix: string;
  const key = `sk_files_root_${randomBytes(12).toString('hex')}`;
  const tag = randomBytes(6).toString('hex');

  /** Runs a shell command in the sandbox (exec: the sandbox's own view) and returns its stdout. */
  const sh = async (command: string): Promise<string> => {
    const res = await api.post(`${prefix}/exec`, { command });
    if (res.status !== 200 || res.body.exitCode !== 0) throw new Error(`${command}: ${JSON.stringify(res.body)}`);
    return res.body.stdout as string;
  };
  const files = (op: string, body: unknown): Promise<HttpResult<any>> => api.post(`${prefix}/files/${op}`, body);
  const expectError = (res: HttpResult<any>, status: number, message: RegExp): void => {
    expect({ status: res.status, message: res.body?.error?.message }).toEqual({
      status,
      message: expect.stringMatching(message),
    });
  };

  beforeAll(async () => {
    ({ gw, api } = await startFilesGateway(runtime, key, `files-root-${runtime}`, kube));
    prefix = `/v1/sandboxes/${await api.createSandbox({ ttlSeconds: 600 })}`;
  }, SLOW);
  afterAll(async () => gw?.close(), SLOW);

  it('reads a file that exec wrote in /tmp', async () => {
    await sh('cd /tmp && printf hi > x');
    expect(await files('read', { path: '/tmp/x' })).toMatchObject({
      status: 200,
      body: { path: '/tmp/x', content: 'hi', size: 2 },
    });
  });

  it('writes, lists, stats, edits, copies, moves, globs, greps and deletes in /tmp, as exec sees it', async () => {
    const dir = `/tmp/work-${tag}`;
    expect(await files('write', { path: `${dir}/a.txt`, content: 'alpha needle\n' })).toMatchObject({
      status: 200,
      body: { path: `${dir}/a.txt`, size: 13 },
    });
    expect(await sh(`cat ${dir}/a.txt`)).toBe('alpha needle\n');
    expect((await files('mkdir', { path: `${dir}/sub/deeper` })).status).toBe(200);
    expect((await files('edit', { path: `${dir}/a.txt`, oldText: 'alpha', newText: 'beta' })).status).toBe(200);
    expect((await files('copy', { from: `${dir}/a.txt`, to: `${dir}/sub/b.txt` })).status).toBe(200);
    expect((await files('move', { from: `${dir}/sub/b.txt`, to: `${dir}/sub/c.txt` })).status).toBe(200);

    const listed = await files('list', { path: dir, recursive: true });
    expect(listed.status).toBe(200);
    expect(listed.body.entries.map((e: { path: string; type: string }) => [e.path, e.type])).toEqual([
      [`${dir}/a.txt`, 'file'],
      [`${dir}/sub`, 'directory'],
      [`${dir}/sub/c.txt`, 'file'],
      [`${dir}/sub/deeper`, 'directory'],
    ]);
    expect((await files('stat', { path: `${dir}/sub/c.txt` })).body).toMatchObject({
      path: `${dir}/sub/c.txt`,
      exists: true,
      type: 'file',
      size: 12,
    });
    expect((await files('glob', { pattern: '**/*.txt', cwd: dir })).body).toEqual({
      cwd: dir,
      matches: ['a.txt', 'sub/c.txt'],
      truncated: false,
    });
    const grep = await files('grep', { pattern: 'needle', path: dir });
    expect([...grep.body.matches].sort((a, b) => (a.path < b.path ? -1 : 1))).toEqual([
      { path: `${dir}/a.txt`, line: 1, text: 'beta needle' },
      { path: `${dir}/sub/c.txt`, line: 1, text: 'beta needle' },
    ]);
    expect(await sh(`cd ${dir} && find . | sort && cat sub/c.txt`)).toBe(
      '.\n./a.txt\n./sub\n./sub/c.txt\n./sub/deeper\nbeta needle\n',
    );
    expect((await files('delete', { path: dir, recursive: true })).status).toBe(200);
    expect(await sh(`test ! -e ${dir} && echo gone`)).toBe('gone\n');
  });

  it('uploads and downloads raw bytes in /tmp', async () => {
    const data = randomBytes(64 * 1024);
    const path = encodeURIComponent(`/tmp/up-${tag}.bin`);
    const put = await fetch(`${gw.url}${prefix}/files/content?path=${path}`, {
      method: 'PUT',
      headers: { 'x-api-key': key, 'content-type': 'application/octet-stream' },
      body: data,
    });
    expect({ status: put.status, body: await put.json() }).toEqual({
      status: 200,
      body: { path: `/tmp/up-${tag}.bin`, size: data.length },
    });
    expect(await sh(`wc -c < /tmp/up-${tag}.bin`)).toBe(`${data.length}\n`);
    const get = await fetch(`${gw.url}${prefix}/files/content?path=${path}`, { headers: { 'x-api-key': key } });
    expect(get.status).toBe(200);
    expect(Buffer.from(await get.arrayBuffer()).equals(data)).toBe(true);
  });

  it('reads /etc/hosts as the sandbox sees it; relative paths still resolve against /workspace', async () => {
    const hosts = await files('read', { path: '/etc/hosts' });
    expect(hosts.status).toBe(200);
    expect(hosts.body.content).toBe(await sh('cat /etc/hosts'));
    expect(hosts.body.content).toMatch(/localhost/);
    expect((await files('write', { path: 'rel/r.txt', content: 'r' })).body.path).toBe('/workspace/rel/r.txt');
    expect(await sh('cat /workspace/rel/r.txt')).toBe('r');
    expect((await files('list', {})).body.entries.map((e: { path: string }) => e.path)).toContain('/workspace/rel');
  });

  it('refuses writes to read-only places with a 403 that says so, and changes nothing', async () => {
    const before = await sh('cat /etc/hosts; ls -A /usr /etc | sha256sum');
    const upload = await fetch(`${gw.url}${prefix}/files/content?path=/usr/up-${tag}`, {
      method: 'PUT',
      headers: { 'x-api-key': key, 'content-type': 'application/octet-stream' },
      body: 'x',
    });
    expectError({ status: upload.status, headers: upload.headers, body: await upload.json() }, 403, READ_ONLY);
    const attempts: Array<[string, Record<string, unknown>]> = [
      ['write', { path: `/usr/w-${tag}`, content: 'x' }],
      ['write', { path: '/etc/hosts', content: '6.6.6.6 evil\n' }],
      ['write', { path: `/etc/new-${tag}`, content: 'x' }],
      ['edit', { path: '/etc/hosts', oldText: 'localhost', newText: 'evil', replaceAll: true }],
      ['mkdir', { path: `/usr/d-${tag}` }],
      ['delete', { path: '/etc/hosts' }],
      ['delete', { path: '/usr/bin', recursive: true }],
      ['move', { from: '/etc/hosts', to: `/etc/hosts-${tag}` }],
      ['copy', { from: '/tmp/x', to: `/usr/c-${tag}` }],
    ];
    for (const [op, body] of attempts) {
      const res = await files(op, body);
      expect({ op, body, status: res.status, code: res.body.error?.code }).toEqual({
        op,
        body,
        status: 403,
        code: 'forbidden',
      });
      expect(res.body.error.message).toMatch(READ_ONLY);
    }
    expect(await sh('cat /etc/hosts; ls -A /usr /etc | sha256sum')).toBe(before);
  });

  it('follows a symlink in /workspace to /tmp, reporting the path the caller used', async () => {
    await sh(`mkdir -p /tmp/linked-${tag} && ln -s /tmp/linked-${tag} /workspace/tmplink`);
    expect((await files('write', { path: 'tmplink/via.txt', content: 'via needle\n' })).body).toEqual({
      path: '/workspace/tmplink/via.txt',
      size: 11,
    });
    expect(await sh(`cat /tmp/linked-${tag}/via.txt`)).toBe('via needle\n');
    expect((await files('read', { path: '/workspace/tmplink/via.txt' })).body.content).toBe('via needle\n');
    expect((await files('list', { path: 'tmplink' })).body.entries.map((e: { path: string }) => e.path)).toEqual([
      '/workspace/tmplink/via.txt',
    ]);
    expect((await files('grep', { pattern: 'needle', path: 'tmplink' })).body.matches).toEqual([
      { path: '/workspace/tmplink/via.txt', line: 1, text: 'via needle' },
    ]);
    expect((await files('delete', { path: 'tmplink' })).status).toBe(200);
    expect(await sh(`test ! -e /workspace/tmplink && cat /tmp/linked-${tag}/via.txt`)).toBe('via needle\n');
  });

  it('lets `..` chains and magic /proc links land in the sandbox root, never above it', async () => {
    for (const path of [
      '../../../../../../../../tmp/x',
      '/workspace/../tmp/x',
      '/../../tmp/x',
      'a/b/../../../tmp/x',
      '/proc/self/root/tmp/x',
    ]) {
      const res = await files('read', { path });
      expect({ path, status: res.status, content: res.body.content }).toEqual({ path, status: 200, content: 'hi' });
    }
    const root = await files('list', { path: '../..' });
    expect(root.status).toBe(200);
    expect(root.body.entries.map((e: { path: string }) => e.path)).toEqual(
      expect.arrayContaining(['/etc', '/tmp', '/usr', '/workspace']),
    );
  });

  it('never reaches the host: host files at the same paths are not the sandbox’s', async () => {
    // The gateway's data dir and this marker live in the host's temp dir; the sandbox has its own /tmp.
    const marker = join(tmpdir(), `sbx-host-marker-${tag}`);
    writeFileSync(marker, 'host secret\n', { mode: 0o644 });
    try {
      expect((await files('read', { path: marker })).status).toBe(404);
      expect((await files('stat', { path: marker })).body).toEqual({ path: marker, exists: false });
      expect((await files('list', { path: gw.dataDir })).status).toBe(404);
      await sh(`ln -s ${marker} /workspace/host-link`);
      expect((await files('read', { path: 'host-link' })).status).toBe(404);
      expect((await files('copy', { from: 'host-link', to: 'stolen' })).status).toBe(404);

      // A write to a host-looking path lands in the sandbox, not on the host.
      const planted = join(gw.dataDir, `planted-${tag}`);
      expect((await files('write', { path: planted, content: 'x' })).status).toBe(200);
      expect(await sh(`cat ${planted}`)).toBe('x');
      expect(existsSync(planted)).toBe(false);
      expect(readFileSync(marker, 'utf8')).toBe('host secret\n');

      // The host has /etc/shadow; the local sandbox does not, and docker's is its image's (root only).
      expect(existsSync('/etc/shadow')).toBe(true);
      const shadow = await files('read', { path: '../../etc/shadow' });
      if (runtime === 'local') expectError(shadow, 404, /No such file/);
      else expectError(shadow, 403, /Permission denied/);
    } finally {
      rmSync(marker, { force: true });
    }
  });

  it('still refuses bad paths with a 400: NUL bytes, overlong paths and names, an absolute glob', async () => {
    expectError(await files('read', { path: '/tmp/a\0b' }), 400, /NUL/);
    expectError(await files('write', { path: `/tmp/${'d/'.repeat(2500)}x`, content: 'x' }), 400, /path/);
    expectError(await files('write', { path: `/tmp/${'n'.repeat(300)}`, content: 'x' }), 400, /File name too long/);
    expectError(await files('glob', { pattern: '/etc/*' }), 400, /pattern/);
    const nul = await fetch(`${gw.url}${prefix}/files/content?path=%2Ftmp%2Fa%00b`, { headers: { 'x-api-key': key } });
    expect(nul.status).toBe(400);
  });

  it('refuses to delete, move or replace the file system root or the workspace root', async () => {
    for (const [op, body] of [
      ['delete', { path: '/', recursive: true }],
      ['delete', { path: '/workspace', recursive: true }],
      ['delete', { path: '../..', recursive: true }],
      ['move', { from: '/', to: '/tmp/root' }],
      ['move', { from: '/tmp/x', to: '/', overwrite: true }],
      ['copy', { from: '/tmp/x', to: '/', overwrite: true }],
    ] as const) {
      const res = await files(op, body);
      expect({ op, body, status: res.status }).toEqual({ op, body, status: 403 });
      expect(res.body.error.message).toMatch(/root/);
    }
    expect(await sh('cat /tmp/x; test -d /workspace/rel && echo " kept"')).toBe('hi kept\n');
  });
}

describe('files see the whole sandbox on the local runtime', () => wholeRootSuite('local'));
describeWithDocker('files see the whole sandbox on the docker runtime', reason, () => wholeRootSuite('docker'));

/**
 * With `isolation: none` a "sandbox" is a directory on the host and its commands run in the
 * gateway's own mount namespace: there is no sandbox root, so files stay inside the workspace.
 */
describe('files stay inside the workspace when the local runtime does not isolate', () => {
  let gw: TestGateway;
  let api: HttpClient;
  let prefix: string;
  let hostDir: string;
  let dataDir: string;

  beforeAll(async () => {
    hostDir = mkdtempSync(join(tmpdir(), 'sbx-host-'));
    chmodSync(hostDir, 0o755);
    writeFileSync(join(hostDir, 'secret.txt'), 'host secret\n', { mode: 0o644 });
    dataDir = mkdtempSync(join(tmpdir(), 'sbx-none-'));
    gw = await startTestGateway({
      onlyPlugins: ['capability-shell', 'capability-files', 'transport-rest'],
      extraPlugins: [{ use: 'runtime-local', options: { isolation: 'none', network: 'none', dataDir } }],
    });
    api = new HttpClient(gw.url);
    prefix = `/v1/sandboxes/${await api.createSandbox()}`;
  }, SLOW);
  afterAll(async () => {
    await gw?.close();
    rmSync(hostDir, { recursive: true, force: true });
    rmSync(dataDir, { recursive: true, force: true });
  }, SLOW);

  it('refuses host paths with a 403 naming the workspace, though exec (unisolated) can read them', async () => {
    const secret = join(hostDir, 'secret.txt');
    const exec = await api.post(`${prefix}/exec`, { command: `cat ${secret}; ln -s ${hostDir} escape` });
    expect(exec.body).toMatchObject({ exitCode: 0, stdout: 'host secret\n' });
    for (const path of [secret, 'escape/secret.txt', '/tmp', '../../../../../../etc/hostname']) {
      const res = await api.post(`${prefix}/files/read`, { path });
      expect({ path, status: res.status, code: res.body.error?.code }).toEqual({
        path,
        status: 403,
        code: 'forbidden',
      });
      expect(res.body.error.message).toMatch(/outside the workspace/);
    }
    const write = await api.post(`${prefix}/files/write`, { path: join(hostDir, 'planted'), content: 'x' });
    expect(write.status).toBe(403);
    expect(existsSync(join(hostDir, 'planted'))).toBe(false);
    expect((await api.post(`${prefix}/files/write`, { path: 'inside.txt', content: 'ok' })).status).toBe(200);
    expect((await api.post(`${prefix}/files/read`, { path: 'inside.txt' })).body.content).toBe('ok');
  });
});
describeWithDocker('files see the whole sandbox on the kubernetes runtime (fake API server)', kube.unavailable, () =>
  wholeRootSuite('kubernetes'),
);
