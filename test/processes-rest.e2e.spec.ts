import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { LOCAL_IMAGES } from '@sandboxed/runtime-docker';
import {
  HttpClient,
  readSse,
  startTestGateway,
  waitFor,
  type SseEvent,
  type TestGateway,
  OpenApiResponseValidator,
} from '@sandboxed/testing';
import { describeWithDocker, dockerUnavailableReason } from './support/docker-engine.support.js';
import { kubeTarget } from './support/kube-fake.support.js';

/** Live in-sandbox log readers, from /proc (images need not have ps); `[l]` keeps this command out, and
 * the docker runtime's exec wrappers (whose command lines repeat the argv) are left out. */
const COUNT_LOG_READERS =
  'for p in /proc/[0-9]*; do tr "\\0\\n" "  " <"$p/cmdline" 2>/dev/null; echo; done | grep -v " sandboxed-[e]xec " | grep -c "sandboxed-[l]ogs " || true';

interface RuntimeSetup {
  plugins: Array<string | { use: string; options?: Record<string, unknown> }>;
  config: Record<string, unknown>;
  sandbox: Record<string, unknown>;
}

const processSuite = (setup: RuntimeSetup) => () => {
  let gw: TestGateway;
  let api: HttpClient;
  let id: string;
  const base = () => `/v1/sandboxes/${id}/processes`;
  const start = async (body: Record<string, unknown>): Promise<string> => {
    const res = await api.post(base(), body);
    if (res.status !== 201) throw new Error(`start: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body.id;
  };
  const get = async (pid: string) => (await api.get(`${base()}/${pid}`)).body;
  const ended = (pid: string) =>
    waitFor(async () => ((await get(pid)).status !== 'running' ? get(pid) : undefined), {
      what: `process ${pid} to end`,
    });

  beforeAll(async () => {
    gw = await startTestGateway({
      onlyPlugins: ['runtime-local', 'capability-shell', 'transport-rest'],
      extraPlugins: [...setup.plugins, 'capability-processes'],
      config: setup.config,
    });
    api = new HttpClient(gw.url).validatingResponses(await OpenApiResponseValidator.forGateway(gw.url));
    id = await api.createSandbox(setup.sandbox);
  });
  afterAll(async () => gw?.close());

  it('get, list and kill return every field the process started with (issue 9, item 3)', async () => {
    await api.post(`/v1/sandboxes/${id}/exec`, { command: 'mkdir -p fields' });
    for (const [body, shape] of [
      [{ argv: ['sleep', '300'] }, { command: null, argv: ['sleep', '300'] }],
      [{ command: 'sleep 301' }, { command: 'sleep 301', argv: ['/bin/sh', '-c', 'sleep 301'] }],
    ] as const) {
      const started = await api.post(base(), { ...body, name: 'fields-check', cwd: 'fields' });
      expect(started.status).toBe(201);
      const expected = { id: started.body.id, name: 'fields-check', cwd: '/workspace/fields', ...shape };
      expect(started.body).toMatchObject(expected);
      expect(await get(started.body.id)).toMatchObject({ ...expected, status: 'running' });
      const listed = (await api.get(base())).body.processes.find((p: { id: string }) => p.id === started.body.id);
      expect(listed).toMatchObject(expected);
      const killed = await api.post(`${base()}/${started.body.id}/kill`, {});
      expect(killed.body).toMatchObject({ ...expected, status: 'killed' });
    }
  });

  it('starts a process that outlives the request and reports its status, exit code and times', async () => {
    expect((await api.post(base(), { command: 'true', cwd: 'sub' })).status).toBe(400);
    await api.post(`/v1/sandboxes/${id}/exec`, { command: 'mkdir -p sub' });
    const res = await api.post(base(), {
      command: 'echo started; read line; echo "got $line in $(pwd)"; exit 7',
      name: 'reader',
      cwd: 'sub',
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      name: 'reader',
      status: 'running',
      command: expect.stringContaining('read line'),
      cwd: '/workspace/sub',
    });
    expect(res.body.id).toMatch(/^[a-f0-9]{16}$/);
    expect(res.body.pid).toBeGreaterThan(1);
    const pid = res.body.id;
    const listed = (await api.get(base())).body.processes;
    expect(listed.map((p: { id: string }) => p.id)).toContain(pid);
    expect((await api.get(`${base()}?status=running`)).body.processes.map((p: { id: string }) => p.id)).toContain(pid);
    await waitFor(async () => (await get(pid)).lines === 1, { what: 'the first line' });
    expect((await api.post(`${base()}/${pid}/stdin`, { data: 'hello\n' })).status).toBe(204);
    const done = await ended(pid);
    expect(done).toMatchObject({ status: 'exited', exitCode: 7, signal: null, lines: 2 });
    expect(Date.parse(done.endedAt)).toBeGreaterThanOrEqual(Date.parse(done.startedAt));
    const logs = await api.get(`${base()}/${pid}/logs`);
    expect(logs.body).toEqual({
      lines: [
        { line: 0, stream: 'stdout', text: 'started' },
        { line: 1, stream: 'stdout', text: 'got hello in /workspace/sub' },
      ],
      cursor: 2,
      dropped: 0,
      done: true,
    });
    expect((await api.post(`${base()}/${pid}/stdin`, { data: 'late\n' })).status).toBe(409);
  });

  it('closes standard input on eof, so a reader of stdin finishes', async () => {
    const pid = await start({ argv: ['wc', '-l'] });
    expect((await api.post(`${base()}/${pid}/stdin`, { data: 'a\nb\nc\n', eof: true })).status).toBe(204);
    expect(await ended(pid)).toMatchObject({ status: 'exited', exitCode: 0 });
    expect((await api.get(`${base()}/${pid}/logs`)).body.lines.map((l: { text: string }) => l.text.trim())).toEqual([
      '3',
    ]);
  });

  it('kills the whole process group and reports it as killed, with the signal', async () => {
    const pid = await start({ command: 'sleep 300 & echo $! > /workspace/bg.pid; sleep 300' });
    await waitFor(
      async () =>
        (await api.post(`/v1/sandboxes/${id}/exec`, { command: 'test -s /workspace/bg.pid && echo ok' })).body
          .stdout === 'ok\n',
    );
    const killed = await api.post(`${base()}/${pid}/kill`, { signal: 'SIGTERM' });
    expect(killed.status).toBe(200);
    expect(killed.body).toMatchObject({ status: 'killed', exitCode: 143, signal: 'SIGTERM' });
    const probe = await api.post(`/v1/sandboxes/${id}/exec`, {
      command: 'kill -0 "$(cat /workspace/bg.pid)" 2>/dev/null && echo alive || echo gone',
    });
    expect(probe.body.stdout).toBe('gone\n');
    // Default signal is SIGKILL; SIGINT reaches a background command too (sh would ignore it otherwise).
    const second = await start({ command: 'sleep 300' });
    expect((await api.post(`${base()}/${second}/kill`, {})).body).toMatchObject({
      status: 'killed',
      signal: 'SIGKILL',
    });
    const third = await start({ command: 'sleep 300' });
    expect((await api.post(`${base()}/${third}/kill`, { signal: 'SIGINT' })).body).toMatchObject({
      status: 'killed',
      signal: 'SIGINT',
    });
  });

  it('pages through logs with a cursor: every line exactly once, stdout and stderr numbered together', async () => {
    const pid = await start({
      command: 'i=0; while [ $i -lt 250 ]; do i=$((i+1)); echo "out $i"; echo "err $i" >&2; done',
    });
    await ended(pid);
    const seen: string[] = [];
    let cursor = 0;
    for (let page = 0; page < 20; page++) {
      const res = await api.get(`${base()}/${pid}/logs?cursor=${cursor}&limit=77`);
      expect(res.status).toBe(200);
      res.body.lines.forEach((l: { line: number; stream: string; text: string }, i: number) => {
        expect(l.line).toBe(cursor + i);
        expect(l.stream).toBe(l.text.startsWith('out') ? 'stdout' : 'stderr');
        seen.push(l.text);
      });
      cursor = res.body.cursor;
      if (res.body.done) break;
    }
    expect(seen).toHaveLength(500);
    for (let i = 1; i <= 250; i++) expect(seen.filter((t) => t === `out ${i}` || t === `err ${i}`)).toHaveLength(2);
    expect(seen.filter((t) => t.startsWith('out'))).toEqual(Array.from({ length: 250 }, (_, i) => `out ${i + 1}`));
  });

  it('keeps at least the last 10,000 lines and says how many older ones were trimmed', async () => {
    const pid = await start({ command: 'seq 1 25000' });
    const info = await ended(pid);
    expect(info.lines).toBe(25000);
    expect(25000 - info.firstLine).toBeGreaterThanOrEqual(10000);
    const oldest = await api.get(`${base()}/${pid}/logs?cursor=0&limit=2`);
    expect(oldest.body).toMatchObject({ dropped: info.firstLine, cursor: info.firstLine + 2 });
    expect(oldest.body.lines[0]).toEqual({ line: info.firstLine, stream: 'stdout', text: String(info.firstLine + 1) });
    const last = await api.get(`${base()}/${pid}/logs?cursor=15000&limit=10000`);
    expect(last.body.lines).toHaveLength(10000);
    expect(last.body.lines[9999]).toEqual({ line: 24999, stream: 'stdout', text: '25000' });
    expect(last.body).toMatchObject({ cursor: 25000, dropped: 0, done: true });
  });

  it('splits very long lines on a character boundary', async () => {
    const pid = await start({ argv: ['/usr/bin/python3', '-c', "print('\u00e9' * 5000)"] });
    await ended(pid);
    const lines = (await api.get(`${base()}/${pid}/logs`)).body.lines.map((l: { text: string }) => l.text);
    expect(lines.join('')).toBe('\u00e9'.repeat(5000));
    for (const l of lines) expect(Buffer.byteLength(l)).toBeLessThanOrEqual(4000);
  });

  it('streams the history, then live lines, then one exit event; a resumed stream repeats nothing', async () => {
    const pid = await start({ command: 'echo one; echo two; read go; echo three; echo four; exit 2' });
    const events: SseEvent[] = [];
    const res = await fetch(`${gw.url}${base()}/${pid}/logs/stream?cursor=1`);
    expect(res.status).toBe(200);
    const reader = readSse(res);
    events.push((await reader.next()).value as SseEvent);
    expect(events[0]).toEqual({ event: 'output', data: { stream: 'stdout', data: 'two\n', line: 1, cursor: 2 } });
    await api.post(`${base()}/${pid}/stdin`, { data: 'go\n' });
    for await (const e of reader) events.push(e);
    expect(events.map((e) => [e.event, e.data.data ?? e.data.exitCode])).toEqual([
      ['output', 'two\n'],
      ['output', 'three\n'],
      ['output', 'four\n'],
      ['exit', 2],
    ]);
    expect(events[2].data).toMatchObject({ stream: 'stdout', line: 3, cursor: 4 });
    expect(events[3].data).toMatchObject({ status: 'exited', exitCode: 2, cursor: 4 });
    const again: SseEvent[] = [];
    for await (const e of readSse(await fetch(`${gw.url}${base()}/${pid}/logs/stream?cursor=4`))) again.push(e);
    expect(again).toEqual([{ event: 'exit', data: expect.objectContaining({ exitCode: 2, cursor: 4 }) }]);
  });

  it('stops following (and reading inside the sandbox) when the client disconnects', async () => {
    const pid = await start({ command: 'while :; do echo tick; sleep 0.05; done' });
    const abort = new AbortController();
    const reader = readSse(await fetch(`${gw.url}${base()}/${pid}/logs/stream`, { signal: abort.signal }));
    expect((await reader.next()).value).toMatchObject({ event: 'output', data: { data: 'tick\n' } });
    const readers = async () =>
      Number((await api.post(`/v1/sandboxes/${id}/exec`, { command: COUNT_LOG_READERS })).body.stdout);
    expect(await readers()).toBe(1);
    abort.abort();
    await reader.return(undefined).catch(() => undefined);
    await waitFor(async () => (await readers()) === 0, { what: 'the in-sandbox log reader to stop' });
    await api.post(`${base()}/${pid}/kill`, {});
  });

  it('waits in bounded calls: each returns what came so far and a cursor, the last one the exit', async () => {
    const pid = await start({ command: 'echo first; read line; echo "got $line"; exit 3' });
    const wait = async (body: Record<string, unknown>) => {
      const res = await api.post(`${base()}/${pid}/wait`, body);
      expect(res.status).toBe(200);
      return res.body;
    };
    const one = await wait({ limit: 1, timeoutMs: 60_000 });
    expect(one).toMatchObject({ done: false, cursor: 1, lines: [{ line: 0, stream: 'stdout', text: 'first' }] });
    expect(one.process).toMatchObject({ id: pid, status: 'running', exitCode: null });
    // Blocked on its stdin: the wait runs out with nothing new, and leaves no reader behind.
    const idle = await wait({ cursor: one.cursor, timeoutMs: 300 });
    expect(idle).toMatchObject({ done: false, cursor: 1, lines: [], process: { status: 'running' } });
    const readers = async () =>
      Number((await api.post(`/v1/sandboxes/${id}/exec`, { command: COUNT_LOG_READERS })).body.stdout);
    await waitFor(async () => (await readers()) === 0, { what: 'the wait’s log reader to stop' });
    expect((await api.post(`${base()}/${pid}/stdin`, { data: 'hello\n', eof: true })).status).toBe(204);
    const last = await wait({ cursor: idle.cursor, timeoutMs: 60_000 });
    expect(last).toMatchObject({ done: true, cursor: 2, lines: [{ line: 1, text: 'got hello' }] });
    expect(last.process).toMatchObject({ status: 'exited', exitCode: 3 });
    // Ended: a wait of 0 ms reads the whole log at once.
    expect(await wait({ timeoutMs: 0 })).toMatchObject({
      done: true,
      lines: [{ text: 'first' }, { text: 'got hello' }],
    });
    const tooLong = await api.post(`${base()}/${pid}/wait`, { timeoutMs: 300_001 });
    expect(tooLong.status).toBe(400);
    expect(JSON.stringify(tooLong.body)).toMatch(/timeoutMs/);
    expect((await api.post(`${base()}/0123456789abcdef/wait`, { timeoutMs: 10 })).status).toBe(404);
  });

  it('kills the whole process group at its timeoutMs and says so', async () => {
    const pid = await start({ command: 'sleep 300 & echo "child $!"; wait', timeoutMs: 1500 });
    const res = await api.post(`${base()}/${pid}/wait`, { timeoutMs: 60_000 });
    expect(res.body).toMatchObject({ done: true, lines: [{ text: expect.stringMatching(/^child \d+$/) }] });
    expect(res.body.process).toMatchObject({ status: 'killed', signal: 'SIGKILL', exitCode: 137, timedOut: true });
    const child = res.body.lines[0].text.split(' ')[1];
    const alive = await api.post(`/v1/sandboxes/${id}/exec`, {
      command: `kill -0 ${child} 2>/dev/null && echo alive || echo gone`,
    });
    expect(alive.body.stdout).toBe('gone\n');
    // Without a timeout nothing kills it; when it exits, what it left in its process group goes.
    const untimed = await start({ command: 'sleep 300 & echo "child $!"; exit 0' });
    const ended = (await api.post(`${base()}/${untimed}/wait`, {})).body;
    expect(ended.process).toMatchObject({ status: 'exited', exitCode: 0, timedOut: false });
    const left = ended.lines[0].text.split(' ')[1];
    await waitFor(
      async () =>
        (
          await api.post(`/v1/sandboxes/${id}/exec`, {
            command: `kill -0 ${left} 2>/dev/null && echo alive || echo gone`,
          })
        ).body.stdout === 'gone\n',
      { what: 'the exited process’s leftover child to be killed' },
    );
    const tooLong = await api.post(base(), { command: 'true', timeoutMs: 10_000_000 });
    expect(tooLong.status).toBe(400);
    expect(tooLong.body.error.message).toMatch(/timeoutMs: at most \d+/);
  });

  it('answers unknown processes with 404 and bad ids with 400', async () => {
    const missing = '0123456789abcdef';
    expect((await api.get(`${base()}/${missing}`)).status).toBe(404);
    expect((await api.get(`${base()}/${missing}/logs`)).status).toBe(404);
    expect((await api.post(`${base()}/${missing}/kill`, {})).status).toBe(404);
    expect((await api.post(`${base()}/${missing}/stdin`, { data: 'x' })).status).toBe(404);
    expect((await api.get(`${base()}/not-an-id`)).status).toBe(400);
    expect((await api.post(base(), { command: 'true', argv: ['true'] })).status).toBe(400);
    expect((await api.post(base(), { command: 'true', env: { 'BAD-NAME': 'x' } })).status).toBe(400);
    const events: SseEvent[] = [];
    for await (const e of readSse(await fetch(`${gw.url}${base()}/${missing}/logs/stream`))) events.push(e);
    expect(events).toEqual([{ event: 'error', data: { error: expect.objectContaining({ code: 'not_found' }) } }]);
    expect((await api.get('/v1/sandboxes/0123456789abcdef0123456789abcdef/processes')).status).toBe(404);
  });
};

describe('background processes over REST (local runtime)', processSuite({ plugins: [], config: {}, sandbox: {} }));

describeWithDocker(
  'background processes over REST (docker runtime)',
  await dockerUnavailableReason([LOCAL_IMAGES.python]),
  processSuite({
    plugins: ['runtime-docker'],
    config: { runtime: { default: 'docker' } },
    sandbox: { template: 'python' },
  }),
);

const kube = await kubeTarget([LOCAL_IMAGES.python]);
describeWithDocker(
  'background processes over REST (kubernetes runtime, fake API server)',
  kube.unavailable,
  processSuite({
    plugins: [kube.plugin],
    config: { runtime: { default: 'kubernetes' } },
    sandbox: { template: 'python' },
  }),
);
