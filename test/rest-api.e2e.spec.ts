import { existsSync, readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { request } from 'node:http';
import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { HttpClient, startTestGateway, waitFor, type TestGateway, OpenApiResponseValidator } from '@sandboxed/testing';

describe('REST walkthrough on the local runtime', () => {
  let gw: TestGateway;
  let api: HttpClient;
  beforeAll(async () => {
    gw = await startTestGateway();
    api = new HttpClient(gw.url).validatingResponses(await OpenApiResponseValidator.forGateway(gw.url));
  });
  afterAll(async () => gw?.close());

  it('create → exec → write → read → grep → edit → glob → delete', async () => {
    const created = await api.post('/v1/sandboxes', { labels: { project: 'walkthrough' }, ttlSeconds: 600 });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      template: 'base',
      status: 'running',
      runtime: 'local',
      workdir: '/workspace',
    });
    expect(created.body.id).toMatch(/^[0-9a-f]{32}$/);
    const id: string = created.body.id;
    const sb = `/v1/sandboxes/${id}`;

    const listed = await api.get('/v1/sandboxes?labels=project=walkthrough');
    expect(listed.body.sandboxes.map((s: { id: string }) => s.id)).toEqual([id]);
    expect(listed.body.count).toBe(1);

    const exec = await api.post(`${sb}/exec`, { command: 'echo hi' });
    expect(exec.body).toMatchObject({ stdout: 'hi\n', exitCode: 0 });

    const write = await api.post(`${sb}/files/write`, {
      path: 'src/app.py',
      content: 'def greet():\n    return "hi"\n\nprint(greet())\n',
    });
    expect(write.status).toBe(200);
    expect(write.body.path).toBe('/workspace/src/app.py');

    const read = await api.post(`${sb}/files/read`, { path: '/workspace/src/app.py' });
    expect(read.body.content).toContain('return "hi"');

    const grep = await api.post(`${sb}/files/grep`, { pattern: 'ret(urn)?\\s+"\\w+"', path: '.' });
    expect(grep.body.matches).toEqual([{ path: '/workspace/src/app.py', line: 2, text: '    return "hi"' }]);

    const edit = await api.post(`${sb}/files/edit`, {
      path: 'src/app.py',
      oldText: 'return "hi"',
      newText: 'return "hello"',
    });
    expect(edit.status).toBe(200);
    const run = await api.post(`${sb}/exec`, { command: 'cd src && cat app.py | grep -c hello' });
    expect(run.body.stdout).toBe('1\n');

    const ambiguous = await api.post(`${sb}/files/edit`, { path: 'src/app.py', oldText: 'e', newText: 'E' });
    expect(ambiguous.status).toBe(409);
    const missing = await api.post(`${sb}/files/edit`, { path: 'src/app.py', oldText: 'nowhere', newText: 'x' });
    expect(missing.status).toBe(409);

    await api.post(`${sb}/files/write`, { path: 'src/lib/util.py', content: 'x = 1\n' });
    await api.post(`${sb}/files/write`, { path: 'README.md', content: '# hi\n' });
    const glob = await api.post(`${sb}/files/glob`, { pattern: '**/*.py' });
    expect([...glob.body.matches].sort()).toEqual(
      ['src/app.py', 'src/lib/util.py'].map((p) => expect.stringContaining(p)),
    );
    expect(glob.body.matches).toHaveLength(2);

    const del = await api.post(`${sb}/files/delete`, { path: 'src', recursive: true });
    expect(del.status).toBeLessThan(300);
    expect((await api.post(`${sb}/files/stat`, { path: 'src' })).body.exists).toBe(false);

    expect((await api.delete(sb)).status).toBe(204);
    expect((await api.get(sb)).status).toBe(404);
    expect((await api.delete(sb)).status).toBe(404);
  });

  it('streams large files in and out as raw bytes', async () => {
    const id = await api.createSandbox();
    const data = randomBytes(5 * 1024 * 1024);
    const put = await fetch(`${gw.url}/v1/sandboxes/${id}/files/content?path=blobs/data.bin`, {
      method: 'PUT',
      headers: { 'content-type': 'application/octet-stream' },
      body: data,
    });
    expect(put.status).toBe(200);
    const got = await fetch(`${gw.url}/v1/sandboxes/${id}/files/content?path=blobs/data.bin`);
    expect(got.status).toBe(200);
    expect(got.headers.get('content-type')).toBe('application/octet-stream');
    expect(Buffer.from(await got.arrayBuffer()).equals(data)).toBe(true);
    const sum = await api.post(`/v1/sandboxes/${id}/exec`, { command: 'wc -c < blobs/data.bin' });
    expect(sum.body.stdout.trim()).toBe(String(data.length));
  });

  it('survives an upload whose client goes away mid-body, and lands nothing', async () => {
    const id = await api.createSandbox();
    const { port } = new URL(gw.url);
    const req = request({
      host: '127.0.0.1',
      port,
      method: 'PUT',
      path: `/v1/sandboxes/${id}/files/content?path=cut/half.bin`,
      headers: { 'content-type': 'application/octet-stream', 'content-length': 8 * 1024 * 1024 },
    });
    req.on('error', () => undefined);
    req.write(randomBytes(1024 * 1024));
    await new Promise<void>((resolve) => req.once('socket', (s) => s.once('connect', () => resolve())));
    req.destroy();
    expect((await api.get('/health')).status).toBe(200);
    await waitFor(
      async () => {
        const ls = await api.post(`/v1/sandboxes/${id}/exec`, { command: 'ls -A cut 2>/dev/null | wc -l' });
        return ls.body.stdout.trim() === '0';
      },
      { what: 'no file, not even a temp file, under cut/' },
    );
    expect((await api.post(`/v1/sandboxes/${id}/files/stat`, { path: 'cut/half.bin' })).body.exists).toBe(false);
  });

  // Files see the sandbox's whole root, as its commands do; the host stays out of reach (issue 9, item 7).
  describe('paths that leave the workspace', () => {
    let id: string;
    let sb: string;
    beforeAll(async () => {
      id = await api.createSandbox();
      sb = `/v1/sandboxes/${id}`;
      await api.post(`${sb}/exec`, {
        command: 'ln -s /etc escape && ln -s / root && ln -s ../../../../etc/passwd passwd',
      });
    });

    it("lands traversal in the sandbox's own root, never the host's", async () => {
      const passwd = (await api.post(`${sb}/exec`, { command: 'cat /etc/passwd' })).body.stdout;
      for (const path of ['../../etc/passwd', '/etc/passwd', 'passwd', 'root/etc/passwd']) {
        const res = await api.post(`${sb}/files/read`, { path });
        expect({ path, status: res.status, same: res.body.content === passwd }).toEqual({
          path,
          status: 200,
          same: true,
        });
      }
      // The host has these; the sandbox does not.
      for (const path of ['/workspace/../etc/shadow', 'escape/hostname', 'root/etc/hostname']) {
        expect({ path, status: (await api.post(`${sb}/files/read`, { path })).status }).toEqual({ path, status: 404 });
      }
      expect((await api.post(`${sb}/files/read`, { path: 'a/../../etc' })).status).toBe(400);
    });

    it('writes through symlinks land in the sandbox or are refused, and touch nothing on the host', async () => {
      const hostHostname = readFileSync('/etc/hostname', 'utf8');
      const refused: Array<[string, Record<string, unknown>]> = [
        ['files/write', { path: 'escape/sandboxed-pwned', content: 'x' }],
        ['files/write', { path: 'escape/hostname', content: 'x' }],
        ['files/mkdir', { path: 'escape/sandboxed-pwned-dir' }],
        ['files/delete', { path: 'escape/passwd' }],
        ['files/move', { from: 'passwd', to: 'escape/sandboxed-pwned' }],
        ['files/edit', { path: 'escape/passwd', oldText: 'root', newText: 'toor', replaceAll: true }],
      ];
      for (const [route, body] of refused) {
        const res = await api.post(`${sb}/${route}`, body);
        expect({ route, body, status: res.status, message: res.body.error?.message }).toEqual({
          route,
          body,
          status: 403,
          message: expect.stringMatching(/Read-only file system/),
        });
      }
      for (const [route, body] of [
        ['files/write', { path: 'root/tmp/sandboxed-pwned', content: 'x' }],
        ['files/mkdir', { path: 'root/tmp/sandboxed-pwned-dir' }],
      ] as const) {
        expect({ route, status: (await api.post(`${sb}/${route}`, body)).status }).toEqual({ route, status: 200 });
      }
      const inSandbox = await api.post(`${sb}/exec`, {
        command: 'cat /tmp/sandboxed-pwned && test -d /tmp/sandboxed-pwned-dir && echo " there"',
      });
      expect(inSandbox.body.stdout).toBe('x there\n');
      const raw = await fetch(`${gw.url}${sb}/files/content?path=escape/hostname`);
      expect(raw.status).toBe(404);
      expect(readFileSync('/etc/hostname', 'utf8')).toBe(hostHostname);
      expect(existsSync('/etc/sandboxed-pwned')).toBe(false);
      expect(existsSync('/tmp/sandboxed-pwned')).toBe(false);
      expect(existsSync('/tmp/sandboxed-pwned-dir')).toBe(false);
    });
  });
});
