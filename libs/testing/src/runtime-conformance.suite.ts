import { randomBytes } from 'node:crypto';
import { Readable, type Duplex } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import * as tar from 'tar-stream';
import {
  collectOutput,
  type CollectedOutput,
  type ExecRequest,
  type SandboxInfo,
  type SandboxRuntime,
  type SandboxSpec,
} from '@sandboxed/plugin-sdk';
import { sandboxSpec } from './sandbox-spec.fixture.js';

export interface RuntimeConformanceHarness {
  /** A fresh runtime instance. */
  create(): Promise<SandboxRuntime>;
  /** A new instance over the same engine/state, as after a gateway restart. */
  restart(prev: SandboxRuntime): Promise<SandboxRuntime>;
  cleanup?(): Promise<void>;
  /** Merged into every spec the suite creates (e.g. `template`). */
  spec?: Partial<SandboxSpec>;
}

const MB = 1024 * 1024;
const SLOW = 60_000;

function hex(bytes = 16): string {
  return randomBytes(bytes).toString('hex');
}

/** Polls `attempt` until it returns true or the deadline passes; returns the last result. */
async function eventually(attempt: () => Promise<boolean>, timeoutMs: number, intervalMs = 50): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await attempt()) return true;
    if (Date.now() >= deadline) return false;
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

async function readAll(stream: AsyncIterable<Buffer | string>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(Buffer.isBuffer(c) ? c : Buffer.from(c as string));
  return Buffer.concat(chunks);
}

async function untar(stream: Readable): Promise<Map<string, { type: string; data: Buffer }>> {
  const out = new Map<string, { type: string; data: Buffer }>();
  const extract = tar.extract();
  const done = (async () => {
    for await (const entry of extract) {
      out.set(entry.header.name.replace(/^\.\//, '').replace(/\/$/, ''), {
        type: String(entry.header.type),
        data: await readAll(entry as unknown as AsyncIterable<Buffer>),
      });
    }
  })();
  stream.pipe(extract);
  await done;
  return out;
}

function packTar(files: Record<string, Buffer | string>): Readable {
  const pack = tar.pack();
  for (const [name, content] of Object.entries(files)) pack.entry({ name, mode: 0o644 }, content);
  pack.finalize();
  return Readable.from(pack);
}

/** What a connection attempt to a port with no listener turns into, within a deadline. */
async function connectOutcome(connect: () => Promise<Duplex>, timeoutMs: number): Promise<'error' | 'closed' | 'open'> {
  let socket: Duplex;
  try {
    socket = await connect();
  } catch {
    return 'error';
  }
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      socket.destroy();
      resolve('open');
    }, timeoutMs);
    const settle = (r: 'error' | 'closed'): void => {
      clearTimeout(timer);
      resolve(r);
    };
    socket.once('error', () => settle('error'));
    socket.once('close', () => settle('closed'));
    socket.resume();
    socket.write('GET / HTTP/1.0\r\n\r\n', () => undefined);
  });
}

/** One HTTP/1.0 GET over a runtime connection; resolves with the raw response. */
async function httpGet(socket: Duplex, path: string): Promise<string> {
  const body = readAll(socket as unknown as Readable);
  socket.write(`GET ${path} HTTP/1.0\r\nHost: localhost\r\n\r\n`);
  return (await body).toString('utf8');
}

/**
 * The behaviour every SandboxRuntime must have. Uses only the SandboxRuntime interface
 * and POSIX tools in the sandbox (sh, cat, head, tar, sleep, kill, tr, grep, env), util-linux's
 * setsid, plus python3 for the connect test (`python3 -m http.server`).
 */
export function runtimeConformanceSuite(name: string, harness: RuntimeConformanceHarness): void {
  describe(`SandboxRuntime conformance: ${name}`, () => {
    let runtime: SandboxRuntime;
    let sb: SandboxInfo;
    const owner = `owner-${hex(6)}`;
    const created = new Set<string>();

    const spec = (overrides: Partial<SandboxSpec> = {}): SandboxSpec =>
      sandboxSpec(owner, { ...harness.spec, ...overrides });

    async function createSandbox(overrides: Partial<SandboxSpec> = {}): Promise<SandboxInfo> {
      const s = spec(overrides);
      created.add(s.id);
      return runtime.create(s);
    }

    async function run(req: ExecRequest & { stdin?: string }, id = sb.id): Promise<CollectedOutput> {
      const { stdin, ...execReq } = req;
      return collectOutput(await runtime.exec(id, execReq), { maxOutputBytes: 16 * MB, stdin });
    }

    async function sh(script: string, extra: Partial<ExecRequest> = {}): Promise<CollectedOutput> {
      return run({ argv: ['sh', '-c', script], ...extra });
    }

    beforeAll(async () => {
      runtime = await harness.create();
      sb = await createSandbox({ labels: { suite: 'conformance', role: 'main' }, env: { SBX_SPEC_VAR: 'from-spec' } });
    }, SLOW);

    afterAll(async () => {
      if (runtime) {
        for (const id of created) await runtime.destroy(id).catch(() => undefined);
        await runtime.close?.();
      }
      await harness.cleanup?.();
    }, SLOW);

    it(
      'creates a sandbox that get and list return',
      async () => {
        expect(sb).toMatchObject({ id: sb.id, owner, labels: { suite: 'conformance', role: 'main' } });
        expect(sb.workdir.startsWith('/')).toBe(true);
        expect(sb.runtime).toBe(runtime.name);
        const got = await runtime.get(sb.id);
        expect(got).toMatchObject({ id: sb.id, owner, template: sb.template, workdir: sb.workdir, status: 'running' });
        expect(got?.expiresAt).toBeInstanceOf(Date);
        expect(await runtime.get(hex())).toBeUndefined();
        const byOwner = await runtime.list({ owner });
        expect(byOwner.map((s) => s.id)).toContain(sb.id);
        const byLabel = await runtime.list({ labels: { role: 'main', suite: 'conformance' } });
        expect(byLabel.map((s) => s.id)).toContain(sb.id);
        const byOtherLabel = await runtime.list({ labels: { role: 'other' } });
        expect(byOtherLabel.map((s) => s.id)).not.toContain(sb.id);
      },
      SLOW,
    );

    it('reports exit codes', async () => {
      const ok = await sh('exit 0');
      expect(ok.exit).toEqual({ exitCode: 0, signal: null, timedOut: false });
      const three = await sh('exit 3');
      expect(three.exit.exitCode).toBe(3);
      expect(three.exit.timedOut).toBe(false);
    });

    it('rejects exec in an unknown sandbox with NotFoundError', async () => {
      await expect(runtime.exec(hex(), { argv: ['true'] })).rejects.toMatchObject({ code: 'not_found' });
    });

    it('keeps stdout and stderr apart', async () => {
      const r = await sh('echo to-out; echo to-err >&2');
      expect(r.stdout.toString()).toBe('to-out\n');
      expect(r.stderr.toString()).toBe('to-err\n');
    });

    it('pipes stdin through', async () => {
      const input = `hello\nworld ${hex(4)}\n`;
      const r = await run({ argv: ['cat'], stdin: input });
      expect(r.stdout.toString()).toBe(input);
      expect(r.exit.exitCode).toBe(0);
    });

    it('passes the sandbox env and the request env', async () => {
      const r = await sh('printf "%s|%s" "$SBX_SPEC_VAR" "$SBX_REQ_VAR"', { env: { SBX_REQ_VAR: 'from-request' } });
      expect(r.stdout.toString()).toBe('from-spec|from-request');
    });

    it('runs in the workdir by default and honors cwd', async () => {
      const def = await sh('pwd');
      expect(def.stdout.toString().trim()).toBe(sb.workdir);
      const sub = `cwd-${hex(4)}`;
      expect((await sh(`mkdir -p ${sub}`)).exit.exitCode).toBe(0);
      const there = await sh('pwd', { cwd: `${sb.workdir}/${sub}` });
      expect(there.stdout.toString().trim()).toBe(`${sb.workdir}/${sub}`);
    });

    it(
      'times out and kills the whole process group',
      async () => {
        const pidFile = `bg-${hex(4)}.pid`;
        const started = Date.now();
        const r = await sh(`sleep 60 & echo $! > ${pidFile}; sleep 60`, { timeoutMs: 500 });
        expect(r.exit.timedOut).toBe(true);
        expect(r.exit.exitCode).not.toBe(0);
        expect(Date.now() - started).toBeLessThan(15_000);
        const pid = (await sh(`cat ${pidFile}`)).stdout.toString().trim();
        expect(pid).toMatch(/^\d+$/);
        // The background sleep must be gone too (poll: reaping may take a moment).
        const gone = await eventually(async () => (await sh(`kill -0 ${pid} 2>/dev/null`)).exit.exitCode !== 0, 5000);
        expect(gone).toBe(true);
      },
      SLOW,
    );

    it(
      'kill() ends a running command',
      async () => {
        const session = await runtime.exec(sb.id, { argv: ['sleep', '60'] });
        session.stdout.resume();
        session.stderr.resume();
        session.stdin.end();
        await session.kill();
        const exit = await session.wait();
        expect(exit.exitCode === 0).toBe(false);
        expect(exit.timedOut).toBe(false);
        await session.kill(); // idempotent
      },
      SLOW,
    );

    /** How many live processes run exactly `sleep <n>` for one of `seconds` (from /proc; zombies have no cmdline). */
    async function countSleeps(...seconds: number[]): Promise<string> {
      const list = 'for p in /proc/[0-9]*; do tr "\\0" " " <"$p/cmdline" 2>/dev/null; echo; done';
      return (await sh(`${list} | grep -cxE 'sleep (${seconds.join('|')}) ' || true`)).stdout.toString().trim();
    }

    it(
      'leaves nothing running once an exec exits: background, setsid and double-forked jobs included',
      async () => {
        const started = Date.now();
        const r = await sh(
          'sleep 3011 & setsid sleep 3012 </dev/null >/dev/null 2>&1 & ' +
            '(env -i setsid sleep 3013 </dev/null >/dev/null 2>&1 &); echo done',
          { timeoutMs: 30_000 },
        );
        expect(r.stdout.toString()).toBe('done\n');
        expect(r.exit).toMatchObject({ exitCode: 0, timedOut: false });
        expect(Date.now() - started).toBeLessThan(15_000);
        expect(await countSleeps(3011, 3012, 3013)).toBe('0');
      },
      SLOW,
    );

    it(
      'a timeout kills every descendant, setsid and double-forked ones included',
      async () => {
        const r = await sh('setsid sleep 3021 & (setsid sleep 3022 </dev/null >/dev/null 2>&1 &); sleep 3023', {
          timeoutMs: 1000,
        });
        expect(r.exit.timedOut).toBe(true);
        expect(await countSleeps(3021, 3022, 3023)).toBe('0');
      },
      SLOW,
    );

    it(
      'keepBackground lets what an exec leaves running outlive it (process.start launches so)',
      async () => {
        const pidFile = `keep-${hex(4)}.pid`;
        const r = await sh(`setsid sleep 3031 </dev/null >/dev/null 2>&1 & echo $! > ${pidFile}; echo started`, {
          keepBackground: true,
          timeoutMs: 30_000,
        });
        expect(r.stdout.toString()).toBe('started\n');
        expect(r.exit).toMatchObject({ exitCode: 0, timedOut: false });
        expect(await countSleeps(3031)).toBe('1');
        expect((await sh(`kill $(cat ${pidFile})`)).exit.exitCode).toBe(0);
      },
      SLOW,
    );

    it('gives a tty when asked', async () => {
      const session = await runtime.exec(sb.id, {
        argv: ['sh', '-c', 'test -t 0 && test -t 1 && echo is-a-tty'],
        tty: true,
      });
      await session.resize(100, 30);
      const r = await collectOutput(session, { maxOutputBytes: MB });
      expect(r.stdout.toString()).toContain('is-a-tty');
      expect(r.exit.exitCode).toBe(0);
    });

    it(
      'delivers large output intact',
      async () => {
        const size = 5 * MB;
        const r = await run({ argv: ['head', '-c', String(size), '/dev/zero'] });
        expect(r.exit.exitCode).toBe(0);
        expect(r.stdout.length).toBe(size);
        expect(r.truncated).toBe(false);
      },
      SLOW,
    );

    it(
      'round-trips a tar archive',
      async () => {
        const dir = `${sb.workdir}/archive-${hex(4)}`;
        expect((await sh(`mkdir -p ${dir}`)).exit.exitCode).toBe(0);
        const binary = randomBytes(256 * 1024);
        const text = `hello ${hex(4)}\n`;
        await runtime.putArchive(sb.id, dir, packTar({ 'hello.txt': text, 'nested/data.bin': binary }));
        expect((await sh(`cat ${dir}/hello.txt`)).stdout.toString()).toBe(text);

        const whole = await untar(await runtime.getArchive(sb.id, dir));
        const name = dir.split('/').pop()!;
        expect(whole.get(`${name}/hello.txt`)?.data.toString()).toBe(text);
        expect(whole.get(`${name}/nested/data.bin`)?.data.equals(binary)).toBe(true);

        const single = await untar(await runtime.getArchive(sb.id, `${dir}/nested/data.bin`));
        expect([...single.keys()]).toEqual(['data.bin']);
        expect(single.get('data.bin')?.data.equals(binary)).toBe(true);
      },
      SLOW,
    );

    it('rejects getArchive of a missing path with NotFoundError', async () => {
      await expect(runtime.getArchive(sb.id, `${sb.workdir}/missing-${hex(4)}`)).rejects.toMatchObject({
        code: 'not_found',
      });
    });

    it(
      'connects to a TCP server inside the sandbox',
      async () => {
        expect((await sh('command -v python3')).exit.exitCode).toBe(0);
        const dir = `${sb.workdir}/www-${hex(4)}`;
        const content = `served ${hex(8)}`;
        expect((await sh(`mkdir -p ${dir} && printf '%s' '${content}' > ${dir}/index.txt`)).exit.exitCode).toBe(0);
        const port = 20000 + (randomBytes(2).readUInt16BE() % 20000);
        const server = await runtime.exec(sb.id, {
          argv: ['python3', '-m', 'http.server', String(port), '--bind', '127.0.0.1', '--directory', dir],
        });
        server.stdout.resume();
        server.stderr.resume();
        try {
          let response = '';
          const served = await eventually(
            async () => {
              try {
                response = await httpGet(await runtime.connect(sb.id, port), '/index.txt');
                return response.includes(content);
              } catch {
                return false;
              }
            },
            15_000,
            100,
          );
          expect(served).toBe(true);
          expect(response).toMatch(/^HTTP\/1\.\d 200/);
        } finally {
          await server.kill();
          await server.wait();
        }
        // Nothing listens any more: connecting must fail or close, never hang.
        expect(await connectOutcome(() => runtime.connect(sb.id, port), 5000)).not.toBe('open');
      },
      SLOW,
    );

    it(
      'destroys idempotently',
      async () => {
        const s = await createSandbox();
        expect((await run({ argv: ['true'] }, s.id)).exit.exitCode).toBe(0);
        await runtime.destroy(s.id);
        expect(await runtime.get(s.id)).toBeUndefined();
        expect((await runtime.list({ owner })).map((x) => x.id)).not.toContain(s.id);
        await expect(runtime.exec(s.id, { argv: ['true'] })).rejects.toMatchObject({ code: 'not_found' });
        await expect(runtime.destroy(s.id)).resolves.toBeUndefined();
        await expect(runtime.destroy(hex())).resolves.toBeUndefined();
      },
      SLOW,
    );

    it(
      'lists by owner',
      async () => {
        const ownerA = `a-${hex(6)}`;
        const ownerB = `b-${hex(6)}`;
        const a = await createSandbox({ owner: ownerA });
        const b = await createSandbox({ owner: ownerB });
        const listA = (await runtime.list({ owner: ownerA })).map((s) => s.id);
        const listB = (await runtime.list({ owner: ownerB })).map((s) => s.id);
        expect(listA).toEqual([a.id]);
        expect(listB).toEqual([b.id]);
        const all = (await runtime.list()).map((s) => s.id);
        expect(all).toEqual(expect.arrayContaining([a.id, b.id, sb.id]));
      },
      SLOW,
    );

    it(
      'survives a runtime restart',
      async () => {
        const marker = `restart-${hex(4)}`;
        expect((await sh(`echo ${marker} > marker.txt`)).exit.exitCode).toBe(0);
        runtime = await harness.restart(runtime);
        expect((await runtime.list({ owner })).map((s) => s.id)).toContain(sb.id);
        expect(await runtime.get(sb.id)).toMatchObject({ id: sb.id, owner, workdir: sb.workdir });
        const r = await sh('cat marker.txt');
        expect(r.stdout.toString().trim()).toBe(marker);
      },
      SLOW,
    );
  });
}
