import { randomBytes } from 'node:crypto';
import { it, expect, beforeAll, afterAll } from '@jest/globals';
import {
  HttpClient,
  readSse,
  startTestGateway,
  waitFor,
  type TestGateway,
  type TestGatewayOptions,
} from '@sandboxed/testing';
import { describeWithDocker, dockerUnavailableReason } from './support/docker-engine.support.js';
import { kubeTarget } from './support/kube-fake.support.js';

const SHELL = ['capability-shell', 'transport-rest'];
// On a shared engine, an API key of this file's own keeps its sandboxes apart from everyone else's.
const dockerKey = `sk_shell_${randomBytes(12).toString('hex')}`;
const kube = await kubeTarget();
const RUNTIMES: Array<{
  name: string;
  unavailable: string | undefined;
  options: TestGatewayOptions;
  headers: Record<string, string>;
}> = [
  { name: 'local', unavailable: undefined, options: { onlyPlugins: ['runtime-local', ...SHELL] }, headers: {} },
  {
    name: 'docker',
    unavailable: await dockerUnavailableReason(),
    options: {
      onlyPlugins: SHELL,
      extraPlugins: ['runtime-docker'],
      config: {
        runtime: { default: 'docker' },
        sandbox: { reapIntervalSeconds: 3600 },
        auth: { apiKeys: { [dockerKey]: `shell-${randomBytes(4).toString('hex')}` } },
      },
    },
    headers: { 'x-api-key': dockerKey },
  },
  {
    name: 'kubernetes (fake API server)',
    unavailable: kube.unavailable,
    options: {
      onlyPlugins: SHELL,
      extraPlugins: [kube.plugin],
      config: {
        runtime: { default: 'kubernetes' },
        sandbox: { reapIntervalSeconds: 3600 },
        auth: { apiKeys: { [dockerKey]: `shell-${randomBytes(4).toString('hex')}` } },
      },
    },
    headers: { 'x-api-key': dockerKey },
  },
];

for (const target of RUNTIMES)
  describeWithDocker(`shell over REST on ${target.name}`, target.unavailable, () => {
    let gw: TestGateway;
    let api: HttpClient;
    let id: string;
    beforeAll(async () => {
      gw = await startTestGateway(target.options);
      api = new HttpClient(gw.url, target.headers);
      id = await api.createSandbox({ env: { GREETING: 'hello' } });
    }, 60_000);
    afterAll(async () => gw?.close(), 60_000);

    const exec = (body: Record<string, unknown>) => api.post(`/v1/sandboxes/${id}/exec`, body);

    it('runs a shell command and reports stdout, stderr and the exit code separately', async () => {
      const res = await exec({ command: 'echo out; echo err >&2; exit 3' });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({
        stdout: 'out\n',
        stderr: 'err\n',
        exitCode: 3,
        timedOut: false,
        truncated: false,
      });
      expect(typeof res.body.durationMs).toBe('number');
    });

    it('runs argv without a shell, with stdin, env and a relative cwd', async () => {
      expect((await exec({ argv: ['echo', '$HOME', '; rm -rf /'] })).body.stdout).toBe('$HOME ; rm -rf /\n');
      expect((await exec({ argv: ['cat'], stdin: 'piped in' })).body.stdout).toBe('piped in');
      expect((await exec({ command: 'echo $GREETING $EXTRA', env: { EXTRA: 'world' } })).body.stdout).toBe(
        'hello world\n',
      );
      await exec({ command: 'mkdir -p sub/dir' });
      expect((await exec({ command: 'pwd', cwd: 'sub/dir' })).body.stdout).toBe('/workspace/sub/dir\n');
    });

    it('refuses ambiguous or out-of-limit requests with 400', async () => {
      expect((await exec({ command: 'true', argv: ['true'] })).status).toBe(400);
      expect((await exec({})).status).toBe(400);
      const tooLong = await exec({ command: 'true', timeoutMs: 10_000_000 });
      expect(tooLong.status).toBe(400);
      expect(tooLong.body.error.message).toMatch(/timeoutMs: at most/);
      expect((await exec({ command: 'true', env: { 'BAD-NAME': 'x' } })).status).toBe(400);
    });

    it('kills a timed-out command together with its children', async () => {
      const res = await exec({ command: 'sleep 300 & echo $! > /workspace/child.pid; sleep 300', timeoutMs: 500 });
      expect(res.status).toBe(200);
      expect(res.body.timedOut).toBe(true);
      expect(res.body.exitCode).not.toBe(0);
      const probe = await exec({
        command: 'kill -0 "$(cat /workspace/child.pid)" 2>/dev/null && echo alive || echo gone',
      });
      expect(probe.body.stdout).toBe('gone\n');
    });

    it('caps each output stream at 1 MiB and marks it truncated', async () => {
      const res = await exec({ command: "head -c 3000000 /dev/zero | tr '\\0' a; echo tail >&2" });
      expect(res.status).toBe(200);
      expect(res.body.stdout.length).toBe(1048576);
      expect(res.body.stderr).toBe('tail\n');
      expect(res.body.truncated).toBe(true);
      expect(res.body.exitCode).toBe(0);
    });

    it('streams output as Server-Sent Events, then one exit event', async () => {
      const res = await fetch(`${gw.url}/v1/sandboxes/${id}/exec/stream`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...target.headers },
        body: JSON.stringify({ command: 'for i in 1 2 3; do echo line$i; done; echo oops >&2; exit 4' }),
      });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/text\/event-stream/);
      const events = [];
      for await (const e of readSse(res)) events.push(e);
      const stdout = events
        .filter((e) => e.event === 'output' && e.data.stream === 'stdout')
        .map((e) => e.data.data)
        .join('');
      const stderr = events
        .filter((e) => e.event === 'output' && e.data.stream === 'stderr')
        .map((e) => e.data.data)
        .join('');
      expect(stdout).toBe('line1\nline2\nline3\n');
      expect(stderr).toBe('oops\n');
      expect(events.filter((e) => e.event === 'exit')).toEqual([
        { event: 'exit', data: { exitCode: 4, timedOut: false } },
      ]);
      expect(events[events.length - 1].event).toBe('exit');
    });

    it('kills a streamed command when the client disconnects', async () => {
      const abort = new AbortController();
      const res = await fetch(`${gw.url}/v1/sandboxes/${id}/exec/stream`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...target.headers },
        body: JSON.stringify({ command: 'echo $$ > /workspace/stream.pid; echo started; exec sleep 300' }),
        signal: abort.signal,
      });
      const reader = readSse(res);
      const first = await reader.next();
      expect(first.value).toMatchObject({ event: 'output', data: { data: 'started\n' } });
      abort.abort();
      await reader.return(undefined).catch(() => undefined);
      await waitFor(
        async () =>
          (await exec({ command: 'kill -0 "$(cat /workspace/stream.pid)" 2>/dev/null && echo alive || echo gone' }))
            .body.stdout === 'gone\n',
        { what: 'the streamed command to be killed' },
      );
    });

    it('answers a stream request for an unknown sandbox with a JSON 404, not a stream', async () => {
      const res = await api.post('/v1/sandboxes/0123456789abcdef0123456789abcdef/exec/stream', { command: 'true' });
      expect(res.status).toBe(404);
      expect(res.body.error.code).toBe('not_found');
    });
  });
