import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { HttpClient, startTestGateway, waitFor, type TestGateway } from '@sandboxed/testing';
import { FORTY_TWO, SHOUT, SLEEPER } from './support/code.samples.js';
import { describeWithDocker, dockerUnavailableReason } from './support/docker-engine.support.js';
import { kubeTarget } from './support/kube-fake.support.js';

const SLOW = 60_000;
/** rustc and the JVM on one shared CPU. */
const COMPILED = 180_000;
const PLUGINS = ['capability-shell', 'capability-code', 'transport-rest'];
const DOCKER_LANGUAGES: Array<[language: string, template: string]> = [
  ['python', 'python'],
  ['javascript', 'node'],
  ['go', 'go'],
  ['java', 'java'],
  ['rust', 'rust'],
  ['ruby', 'ruby'],
  ['php', 'php'],
  ['bash', 'base'],
];

/** A principal of its own, so `sandbox.list` shows exactly this file's sandboxes on a shared engine. */
function ownPrincipal(): { key: string; auth: Record<string, unknown> } {
  const key = `sk_code_${randomBytes(12).toString('hex')}`;
  return { key, auth: { apiKeys: { [key]: `code-e2e-${randomBytes(4).toString('hex')}` } } };
}

const leftovers = async (api: HttpClient): Promise<number> => (await api.get('/v1/sandboxes')).body.count;

function sharedChecks(getApi: () => HttpClient): void {
  it('refuses an unknown language with a 400 that lists the supported ones, creating nothing', async () => {
    const api = getApi();
    const res = await api.post('/v1/execute', { language: 'cobol', code: 'DISPLAY 1' });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('invalid_argument');
    expect(res.body.error.message).toMatch(
      /Unknown language "cobol"; supported: python .*javascript .*go.*java.*rust.*ruby.*php.*bash/,
    );
    expect(res.body.error.details.supported).toEqual([
      'python',
      'javascript',
      'go',
      'java',
      'rust',
      'ruby',
      'php',
      'bash',
      'sh',
    ]);
    expect(await leftovers(api)).toBe(0);
    const id = await api.createSandbox();
    try {
      const run = await api.post(`/v1/sandboxes/${id}/code`, { language: 'klingon', code: 'x' });
      expect(run.status).toBe(400);
      expect(run.body.error.details.supported).toContain('python');
    } finally {
      await api.delete(`/v1/sandboxes/${id}`);
    }
  });

  it('refuses a timeout above limits.exec.maxTimeoutMs before creating a sandbox', async () => {
    const api = getApi();
    const res = await api.post('/v1/execute', { language: 'bash', code: 'true', timeoutMs: 10_000_000 });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toMatch(/timeoutMs: at most/);
    expect(await leftovers(api)).toBe(0);
  });
}

function timeoutAndDisconnectChecks(
  getApi: () => HttpClient,
  getUrl: () => string,
  key: () => string | undefined,
): void {
  it('code.run: a timeout kills the program and removes its temp folder', async () => {
    const api = getApi();
    const id = await api.createSandbox({ template: 'python' });
    try {
      const res = await api.post(`/v1/sandboxes/${id}/code`, {
        language: 'python',
        code: SLEEPER.python,
        timeoutMs: 1500,
      });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ stdout: 'started\n', timedOut: true, language: 'python' });
      expect(res.body.durationMs).toBeGreaterThanOrEqual(1500);
      const probe = await api.post(`/v1/sandboxes/${id}/exec`, {
        command: 'ls -A; ls -d /tmp/.sandboxed-code-* 2>/dev/null; ps -eo args | grep -c "[m]ain.py"; true',
      });
      expect(probe.body.stdout).toBe('0\n');
    } finally {
      await api.delete(`/v1/sandboxes/${id}`);
    }
  });

  it('code.execute: destroys the sandbox after a timeout and after a failure', async () => {
    const api = getApi();
    const slow = await api.post('/v1/execute', { language: 'bash', code: SLEEPER.bash, timeoutMs: 1500 });
    expect(slow.status).toBe(200);
    expect(slow.body).toMatchObject({ stdout: 'started\n', timedOut: true, language: 'bash' });
    expect(await leftovers(api)).toBe(0);
    const failed = await api.post('/v1/execute', { language: 'python', code: 'raise SystemExit("boom")' });
    expect(failed.body).toMatchObject({ stdout: '', stderr: 'boom\n', exitCode: 1, timedOut: false });
    expect(await leftovers(api)).toBe(0);
  });

  it(
    'code.execute: destroys the sandbox when the client disconnects mid-run',
    async () => {
      const api = getApi();
      // Its own connection (not fetch's pool), closed mid-request: a real disconnect.
      const req = request(`${getUrl()}/v1/execute`, {
        method: 'POST',
        agent: false,
        headers: { 'content-type': 'application/json', ...(key() ? { 'x-api-key': key()! } : {}) },
      });
      const ended = new Promise((resolve) => req.on('error', resolve).on('response', resolve));
      req.end(JSON.stringify({ language: 'python', code: SLEEPER.python, timeoutMs: 300_000 }));
      const sandbox = await waitFor(
        async () => (await api.get('/v1/sandboxes')).body.sandboxes[0] as { id: string } | undefined,
        {
          timeoutMs: 30_000,
          what: 'the one-shot sandbox to exist',
        },
      );
      await waitFor(
        async () =>
          (await api.post(`/v1/sandboxes/${sandbox!.id}/exec`, { command: 'ps -eo args' })).body.stdout.includes(
            'main.py',
          ),
        { timeoutMs: 30_000, what: 'the program to run' },
      );
      req.destroy();
      expect(String(await ended)).toMatch(/socket hang up/);
      await waitFor(async () => (await leftovers(api)) === 0, {
        timeoutMs: 30_000,
        what: 'the sandbox to be destroyed',
      });
    },
    SLOW,
  );
}

describe('code on the local runtime', () => {
  let gw: TestGateway;
  let api: HttpClient;
  // The local runtime shows the host's /usr: python3, bash and sh are there; node only when the
  // host has one (Debian's, or whatever is in /usr/local), of the host's version.
  const hostNode = ['/usr/bin/node', '/usr/local/bin/node'].some((p) => existsSync(p));
  beforeAll(async () => {
    gw = await startTestGateway({ onlyPlugins: ['runtime-local', ...PLUGINS] });
    api = new HttpClient(gw.url);
  });
  afterAll(async () => gw?.close());

  it('lists the supported languages with their templates', async () => {
    const res = await api.get('/v1/code/languages');
    expect(res.status).toBe(200);
    const byName = Object.fromEntries(
      res.body.languages.map((l: { name: string; template: string; aliases: string[] }) => [l.name, l]),
    );
    expect(Object.keys(byName).sort()).toEqual([
      'bash',
      'go',
      'java',
      'javascript',
      'php',
      'python',
      'ruby',
      'rust',
      'sh',
    ]);
    expect(byName.python).toMatchObject({ template: 'python', aliases: expect.arrayContaining(['python3']) });
    expect(byName.javascript.template).toBe('node');
    expect((await api.get('/v1/code/languages?extra=1')).status).toBe(400);
  });

  it.each(['python', 'bash', 'sh'])('code.run and code.execute: %s', async (language) => {
    const id = await api.createSandbox();
    try {
      const res = await api.post(`/v1/sandboxes/${id}/code`, { language, code: FORTY_TWO[language] });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({
        stdout: '42\n',
        stderr: 'warn\n',
        exitCode: 3,
        timedOut: false,
        truncated: false,
        language,
      });
      expect(
        (
          await api.post(`/v1/sandboxes/${id}/exec`, {
            command: 'ls -A; ls -d /tmp/.sandboxed-code-* 2>/dev/null; true',
          })
        ).body.stdout,
      ).toBe('');
    } finally {
      await api.delete(`/v1/sandboxes/${id}`);
    }
    const once = await api.post('/v1/execute', { language, code: FORTY_TWO[language] });
    expect(once.status).toBe(200);
    expect(once.body).toMatchObject({ stdout: '42\n', stderr: 'warn\n', exitCode: 3, language });
    expect(await leftovers(api)).toBe(0);
  });

  (hostNode ? it : it.skip)('code.execute: javascript with the host’s node', async () => {
    const res = await api.post('/v1/execute', { language: 'node', code: FORTY_TWO.javascript });
    expect(res.body).toMatchObject({ stdout: '42\n', stderr: 'warn\n', exitCode: 3, language: 'javascript' });
    expect(await leftovers(api)).toBe(0);
  });

  it('defaults to bash in a base sandbox, runs in the workspace and feeds stdin to the program', async () => {
    const id = await api.createSandbox();
    try {
      const res = await api.post(`/v1/sandboxes/${id}/code`, { code: 'pwd; tr a-z A-Z', stdin: 'piped' });
      expect(res.body).toMatchObject({ stdout: '/workspace\nPIPED', exitCode: 0, language: 'bash' });
      const py = await api.post(`/v1/sandboxes/${id}/code`, { language: 'py', code: SHOUT.python, stdin: 'hello' });
      expect(py.body).toMatchObject({ stdout: 'HELLO', language: 'python' });
    } finally {
      await api.delete(`/v1/sandboxes/${id}`);
    }
  });

  sharedChecks(() => api);
  timeoutAndDisconnectChecks(
    () => api,
    () => gw.url,
    () => undefined,
  );
});

/** The same checks on every container runtime: one image per language family. */
const containerCodeSuite =
  (runtime: string, plugin: string | { use: string; options: Record<string, unknown> }) => () => {
    let gw: TestGateway;
    let api: HttpClient;
    const { key, auth } = ownPrincipal();
    beforeAll(async () => {
      gw = await startTestGateway({
        onlyPlugins: PLUGINS,
        extraPlugins: [plugin],
        // A long reap interval: this gateway must not reap other test files' expired sandboxes.
        config: { runtime: { default: runtime }, sandbox: { reapIntervalSeconds: 3600 }, auth },
      });
      api = new HttpClient(gw.url, { 'x-api-key': key });
    }, SLOW);
    afterAll(async () => gw?.close(), SLOW);

    it.each(DOCKER_LANGUAGES)(
      'code.run: %s in a "%s" sandbox, the language taken from the template',
      async (language, template) => {
        const id = await api.createSandbox({ template });
        try {
          const res = await api.post(`/v1/sandboxes/${id}/code`, { code: FORTY_TWO[language] });
          expect(res.status).toBe(200);
          expect(res.body).toMatchObject({
            stdout: '42\n',
            stderr: 'warn\n',
            exitCode: 3,
            timedOut: false,
            truncated: false,
            language,
          });
          // The source, its temp folder and any build output are gone; the workspace was never touched.
          const probe = await api.post(`/v1/sandboxes/${id}/exec`, {
            command: 'ls -A /workspace; ls -d /tmp/.sandboxed-code-* 2>/dev/null; true',
          });
          expect(probe.body.stdout).toBe('');
        } finally {
          await api.delete(`/v1/sandboxes/${id}`);
        }
      },
      COMPILED,
    );

    it.each(DOCKER_LANGUAGES.map(([language]) => language))(
      'code.execute: %s in a one-shot sandbox that is destroyed afterwards',
      async (language) => {
        const res = await api.post('/v1/execute', { language, code: FORTY_TWO[language] });
        expect(res.status).toBe(200);
        expect(res.body).toMatchObject({ stdout: '42\n', stderr: 'warn\n', exitCode: 3, timedOut: false, language });
        expect(await leftovers(api)).toBe(0);
      },
      COMPILED,
    );

    it(
      'reports compile errors on stderr with the compiler’s exit code, and never runs the program',
      async () => {
        const go = await api.post('/v1/execute', {
          language: 'golang',
          code: 'package main\n\nfunc main() { undefinedThing() }\n',
        });
        expect(go.body).toMatchObject({ stdout: '', language: 'go' });
        expect(go.body.exitCode).toBeGreaterThan(0);
        expect(go.body.stderr).toMatch(/undefined: undefinedThing/);
        const rust = await api.post('/v1/execute', {
          language: 'rs',
          code: 'fn main() { let x: i32 = "s"; println!("ran {}", x); }',
        });
        expect(rust.body).toMatchObject({ stdout: '', exitCode: 1, language: 'rust' });
        expect(rust.body.stderr).toMatch(/mismatched types/);
        expect(await leftovers(api)).toBe(0);
      },
      COMPILED,
    );

    it(
      'feeds stdin to the program, runs JavaScript modules, and caps output',
      async () => {
        const id = await api.createSandbox({ template: 'node' });
        try {
          const code = (body: Record<string, unknown>) => api.post(`/v1/sandboxes/${id}/code`, body);
          expect((await code({ code: SHOUT.javascript, stdin: 'quiet' })).body).toMatchObject({
            stdout: 'QUIET',
            language: 'javascript',
          });
          const esm = await code({ code: "import os from 'node:os';\nconsole.log(typeof os.cpus);\n" });
          expect(esm.body).toMatchObject({ stdout: 'function\n', exitCode: 0 });
          const big = await code({ code: 'process.stdout.write("a".repeat(3_000_000));' });
          expect(big.body).toMatchObject({ exitCode: 0, truncated: true });
          expect(big.body.stdout.length).toBe(1_048_576);
        } finally {
          await api.delete(`/v1/sandboxes/${id}`);
        }
      },
      SLOW,
    );

    sharedChecks(() => api);
    timeoutAndDisconnectChecks(
      () => api,
      () => gw.url,
      () => key,
    );
  };

describeWithDocker(
  'code on the docker runtime',
  await dockerUnavailableReason(),
  containerCodeSuite('docker', 'runtime-docker'),
);

const kube = await kubeTarget();
describeWithDocker(
  'code on the kubernetes runtime (fake API server)',
  kube.unavailable,
  containerCodeSuite('kubernetes', kube.plugin),
);

describe('code.execute under a short sandbox.maxTtlSeconds', () => {
  it('keeps its one-shot sandbox within the gateway’s TTL cap', async () => {
    const gw = await startTestGateway({
      onlyPlugins: ['runtime-local', ...PLUGINS],
      config: { sandbox: { defaultTtlSeconds: 30, maxTtlSeconds: 60 } },
    });
    try {
      const api = new HttpClient(gw.url);
      const res = await api.post('/v1/execute', { language: 'bash', code: 'echo capped' });
      expect(res.status).toBe(200);
      expect(res.body.stdout).toBe('capped\n');
      expect((await api.get('/v1/sandboxes')).body.count).toBe(0);
    } finally {
      await gw.close();
    }
  });
});

describe('code.start: code as a background process', () => {
  let gw: TestGateway;
  let api: HttpClient;
  let id: string;
  beforeAll(async () => {
    gw = await startTestGateway({ onlyPlugins: ['runtime-local', ...PLUGINS, 'capability-processes'] });
    api = new HttpClient(gw.url);
    id = await api.createSandbox();
  });
  afterAll(async () => gw?.close());

  it('answers with a process id at once; process.wait gets its output and exit code, and its folder is gone', async () => {
    const started = await api.post(`/v1/sandboxes/${id}/code/start`, {
      language: 'python',
      code: SHOUT.python,
      stdin: 'from stdin',
    });
    expect(started.status).toBe(201);
    expect(started.body).toMatchObject({ processId: expect.stringMatching(/^[0-9a-f]{16}$/), language: 'python' });
    const page = await api.post(`/v1/sandboxes/${id}/processes/${started.body.processId}/wait`, { timeoutMs: 30_000 });
    expect(page.body).toMatchObject({ done: true, process: { status: 'exited', exitCode: 0 } });
    expect(page.body.lines.map((l: { text: string }) => l.text)).toEqual(['FROM STDIN']);
    const left = await api.post(`/v1/sandboxes/${id}/exec`, {
      command: 'ls -d /tmp/.sandboxed-code-* 2>/dev/null; true',
    });
    expect(left.body.stdout).toBe('');
  });

  it('refuses what code.run refuses, before starting anything', async () => {
    const before = (await api.get(`/v1/sandboxes/${id}/processes`)).body.processes.length;
    const bad = await api.post(`/v1/sandboxes/${id}/code/start`, { language: 'cobol', code: 'DISPLAY 1' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/Unknown language "cobol"/);
    expect((await api.post(`/v1/sandboxes/${id}/code/start`, { code: '' })).status).toBe(400);
    expect((await api.post(`/v1/sandboxes/${id}/code/start`, { code: 'x', timeoutMs: 0 })).status).toBe(400);
    expect((await api.get(`/v1/sandboxes/${id}/processes`)).body.processes).toHaveLength(before);
  });

  it('says what it needs on a gateway without capability-processes', async () => {
    const bare = await startTestGateway({ onlyPlugins: ['runtime-local', ...PLUGINS] });
    try {
      const other = new HttpClient(bare.url);
      const sandbox = await other.createSandbox();
      const res = await other.post(`/v1/sandboxes/${sandbox}/code/start`, { code: 'echo 1' });
      expect(res.status).toBe(503);
      expect(res.body.error.message).toMatch(/needs capability-processes/);
    } finally {
      await bare.close();
    }
  });
});
