import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { SandboxService } from '@sandboxed/kernel';
import type { ExecRequest } from '@sandboxed/plugin-sdk';
import { LOCAL_IMAGES } from '@sandboxed/runtime-docker';
import { HttpClient, startTestGateway, type HttpResult, type TestGateway } from '@sandboxed/testing';
import { describeWithDocker, dockerUnavailableReason } from './support/docker-engine.support.js';
import { startFilesGateway } from './support/files.gateway.js';
import { kubeTarget } from './support/kube-fake.support.js';

const SLOW = 60_000;
/** Far below any exec timeout: an answer this fast came from a check, not from a killed command. */
const PROMPT_MS = 10_000;
const reason = await dockerUnavailableReason([LOCAL_IMAGES.python]);
const kube = await kubeTarget([LOCAL_IMAGES.python]);

/** The request's answer, or a failure naming the request if none came within PROMPT_MS. */
async function prompt(what: string, request: Promise<HttpResult<any>>): Promise<HttpResult<any>> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer within ${PROMPT_MS} ms`)), PROMPT_MS);
  });
  try {
    return await Promise.race([request, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

function hostileFilesSuite(runtime: 'local' | 'docker' | 'kubernetes'): void {
  let gw: TestGateway;
  let sb: HttpClient;
  let prefix: string;
  const key = `sk_files_hostile_${randomBytes(12).toString('hex')}`;

  const sh = async (command: string): Promise<void> => {
    const res = await sb.post(`${prefix}/exec`, { command });
    if (res.status !== 200 || res.body.exitCode !== 0) throw new Error(`${command}: ${JSON.stringify(res.body)}`);
  };
  const expectRefused = (res: HttpResult<any>, kind: RegExp): void => {
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: 'invalid_argument', message: expect.stringMatching(kind) });
  };

  beforeAll(async () => {
    ({ gw, api: sb } = await startFilesGateway(runtime, key, `files-hostile-${runtime}`, kube));
    // The python template, for a Unix socket made by python3 (the local runtime shares the host's /usr).
    prefix = `/v1/sandboxes/${await sb.createSandbox({ template: 'python', ttlSeconds: 600 })}`;
    await sh('mkfifo pipe && ln -s pipe link && mkdir dir && mkfifo dir/pipe && echo needle > dir/a.txt');
    await sh(`python3 -c "import socket; socket.socket(socket.AF_UNIX).bind('sock')"`);
  }, SLOW);
  afterAll(async () => gw?.close(), SLOW);

  it('refuses a FIFO, directly or through a symlink, with a prompt 400 on every operation that reads it', async () => {
    const answers = await Promise.all([
      prompt('copy', sb.post(`${prefix}/files/copy`, { from: 'pipe', to: 'copied' })),
      prompt('copy via symlink', sb.post(`${prefix}/files/copy`, { from: 'link', to: 'copied' })),
      prompt('read', sb.post(`${prefix}/files/read`, { path: 'pipe' })),
      prompt('download', sb.get(`${prefix}/files/content?path=pipe`)),
      prompt('edit', sb.post(`${prefix}/files/edit`, { path: 'pipe', oldText: 'a', newText: 'b' })),
      prompt('grep', sb.post(`${prefix}/files/grep`, { pattern: 'needle', path: 'pipe' })),
      prompt('grep via symlink', sb.post(`${prefix}/files/grep`, { pattern: 'needle', path: 'link' })),
    ]);
    for (const res of answers) expectRefused(res, /FIFO/);
    expect(answers[0]!.body.error.message).toMatch(/^Cannot copy '\/workspace\/pipe'/);
    expect((await sb.post(`${prefix}/files/stat`, { path: 'copied' })).body.exists).toBe(false);
  });

  it('refuses a Unix socket the same way', async () => {
    const answers = await Promise.all([
      prompt('copy', sb.post(`${prefix}/files/copy`, { from: 'sock', to: 'copied' })),
      prompt('read', sb.post(`${prefix}/files/read`, { path: 'sock' })),
      prompt('download', sb.get(`${prefix}/files/content?path=sock`)),
      prompt('grep', sb.post(`${prefix}/files/grep`, { pattern: 'x', path: 'sock' })),
    ]);
    for (const res of answers) expectRefused(res, /socket/);
  });

  it('in a directory: grep skips the FIFO, a recursive copy recreates it without reading it', async () => {
    const grep = await prompt('grep dir', sb.post(`${prefix}/files/grep`, { pattern: 'needle', path: 'dir' }));
    expect(grep.status).toBe(200);
    expect(grep.body.matches).toEqual([{ path: '/workspace/dir/a.txt', line: 1, text: 'needle' }]);
    const copy = await prompt(
      'copy dir',
      sb.post(`${prefix}/files/copy`, { from: 'dir', to: 'dir2', recursive: true }),
    );
    expect(copy.status).toBe(200);
    await sh('test -p dir2/pipe && test "$(cat dir2/a.txt)" = needle');
  });

  it('still moves, stats and deletes a FIFO (they never open it)', async () => {
    await sh('mkfifo spare');
    const stat = await prompt('stat', sb.post(`${prefix}/files/stat`, { path: 'spare' }));
    expect(stat.body).toMatchObject({ exists: true, type: 'other' });
    expect((await prompt('move', sb.post(`${prefix}/files/move`, { from: 'spare', to: 'moved' }))).status).toBe(200);
    expect((await prompt('delete', sb.post(`${prefix}/files/delete`, { path: 'moved' }))).status).toBe(200);
  });
}

describe('hostile files on the local runtime', () => hostileFilesSuite('local'));
describeWithDocker('hostile files on the docker runtime', reason, () => hostileFilesSuite('docker'));

describe('every files command has a time bound (local runtime)', () => {
  const FILES_TIMEOUT = 4321;
  const MAX_EXEC = 98_765;
  let gw: TestGateway;
  let sb: HttpClient;
  let prefix: string;
  const seen: Array<{ argv: string[]; timeoutMs: number | undefined }> = [];

  beforeAll(async () => {
    gw = await startTestGateway({
      onlyPlugins: ['runtime-local', 'capability-files', 'transport-rest'],
      config: { limits: { files: { timeoutMs: FILES_TIMEOUT }, exec: { maxTimeoutMs: MAX_EXEC } } },
    });
    // Watch what the runtime is asked to run, as capabilities see it (through the sandbox agent, when on).
    const runtime = gw.app.get(SandboxService).runtime();
    const exec = runtime.exec.bind(runtime);
    runtime.exec = (id: string, req: ExecRequest) => {
      seen.push({ argv: req.argv, timeoutMs: req.timeoutMs });
      return exec(id, req);
    };
    sb = new HttpClient(gw.url);
    prefix = `/v1/sandboxes/${await sb.createSandbox()}`;
  }, SLOW);
  afterAll(async () => gw?.close(), SLOW);

  /** The timeouts of the execs one request made. */
  async function timeoutsOf(request: () => Promise<HttpResult<any>>): Promise<Array<number | undefined>> {
    seen.length = 0;
    const res = await request();
    expect(res.status).toBeLessThan(300);
    expect(seen.length).toBeGreaterThan(0);
    return seen.map((s) => s.timeoutMs);
  }

  it('uses limits.files.timeoutMs for every command, and exec.maxTimeoutMs only for upload and download bodies', async () => {
    const post = (op: string, body: unknown) => () => sb.post(`${prefix}/files/${op}`, body);
    const commands = {
      write: post('write', { path: 'd/a.txt', content: 'hello\n' }),
      read: post('read', { path: 'd/a.txt' }),
      edit: post('edit', { path: 'd/a.txt', oldText: 'hello', newText: 'bye' }),
      stat: post('stat', { path: 'd/a.txt' }),
      list: post('list', { path: 'd' }),
      glob: post('glob', { pattern: '**/*.txt' }),
      grep: post('grep', { pattern: 'bye' }),
      mkdir: post('mkdir', { path: 'e' }),
      copy: post('copy', { from: 'd/a.txt', to: 'e/b.txt' }),
      move: post('move', { from: 'e/b.txt', to: 'e/c.txt' }),
      delete: post('delete', { path: 'e/c.txt' }),
    };
    for (const [name, request] of Object.entries(commands)) {
      expect({ name, timeouts: await timeoutsOf(request) }).toEqual({
        name,
        timeouts: expect.arrayContaining([FILES_TIMEOUT]),
      });
      expect(seen.filter((s) => s.timeoutMs !== FILES_TIMEOUT)).toEqual([]);
    }
    const transfers = {
      upload: () =>
        sb.request('PUT', `${prefix}/files/content?path=up.bin`, 'bytes', {
          'content-type': 'application/octet-stream',
        }),
      download: () => sb.get(`${prefix}/files/content?path=up.bin`),
    };
    for (const request of Object.values(transfers)) {
      const timeouts = await timeoutsOf(request);
      expect(timeouts.filter((t) => t !== FILES_TIMEOUT)).toEqual([MAX_EXEC]);
    }
  });
});
describeWithDocker('hostile files on the kubernetes runtime (fake API server)', kube.unavailable, () =>
  hostileFilesSuite('kubernetes'),
);
