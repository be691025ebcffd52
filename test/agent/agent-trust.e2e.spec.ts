import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { OUTPUT_WINDOW, type AgentRoutedRuntime } from '@sandboxed/agent';
import { collectOutput, type ExecRequest, type SandboxRuntime } from '@sandboxed/plugin-sdk';
import { sandboxSpec, waitFor } from '@sandboxed/testing';
import { describeWithDocker, dockerUnavailableReason } from '../support/docker-engine.support.js';
import {
  CONTAINER_IMAGES,
  dockerRuntime,
  localRuntime,
  routed,
  type RuntimeUnderTest,
} from './agent-runtimes.support.js';

const MB = 1 << 20;
/** From inside the sandbox: the agent is the parent of this command's tracker ($PPID). */
const AGENT_PID = 'read -r l </proc/$PPID/stat; set -- ${l##*) }; a=$2';

/** `forgeable`: whether code in the sandbox can write to the agent's stdout (not on local: the agent is not dumpable). */
function agentTrust(under: RuntimeUnderTest, forgeable: boolean): void {
  let inner: SandboxRuntime;
  let runtime: AgentRoutedRuntime;
  const fallbacks: string[] = [];
  let id: string;

  const run = async (req: ExecRequest, maxOutputBytes = MB) =>
    collectOutput(await runtime.exec(id, req), { maxOutputBytes });
  const sh = (script: string, extra: Partial<ExecRequest> = {}) => run({ argv: ['sh', '-c', script], ...extra });

  beforeAll(async () => {
    inner = await under.create();
    runtime = routed(inner, fallbacks);
    const spec = sandboxSpec(`agent-${randomBytes(4).toString('hex')}`, { template: under.template });
    id = (await runtime.create(spec)).id;
    expect((await sh('echo ready')).stdout.toString()).toBe('ready\n');
    expect(await runtime.agentServes(id)).toBe(true);
  }, 120_000);

  afterAll(async () => {
    if (id) await runtime.destroy(id);
    await inner?.close?.();
    await under.cleanup();
  }, 120_000);

  it('answers 100 concurrent commands, each with its own output and exit code', async () => {
    const results = await Promise.all(
      Array.from({ length: 100 }, (_, i) =>
        sh(`printf 'out-%s' "$N"; printf 'err-%s' "$N" >&2; exit $((N % 7))`, { env: { N: String(i) } }),
      ),
    );
    results.forEach((r, i) => {
      expect(r.stdout.toString()).toBe(`out-${i}`);
      expect(r.stderr.toString()).toBe(`err-${i}`);
      expect(r.exit.exitCode).toBe(i % 7);
    });
    expect(await runtime.agentServes(id)).toBe(true);
  }, 120_000);

  it('caps a command that writes 50 MB and marks it truncated', async () => {
    const r = await sh('head -c 52428800 /dev/zero; echo done >&2');
    expect(r.truncated).toBe(true);
    expect(r.stdout.length).toBe(MB);
    expect(r.stderr.toString()).toBe('done\n');
    expect(r.exit.exitCode).toBe(0);
  }, 120_000);

  it('holds no more than the flow-control window of a command nobody reads', async () => {
    const session = await runtime.exec(id, { argv: ['head', '-c', '52428800', '/dev/zero'] });
    session.stderr.resume();
    session.stdout.pause();
    await waitFor(() => session.stdout.readableLength >= OUTPUT_WINDOW, { what: 'the first window of output' });
    // A round trip on the same agent: had the agent not stopped at the window, more would be here by now.
    expect((await sh('echo other')).stdout.toString()).toBe('other\n');
    expect(session.stdout.readableLength).toBeLessThanOrEqual(OUTPUT_WINDOW + 64 * 1024);
    await session.kill();
    session.stdout.resume();
    expect((await session.wait()).signal).toBe('SIGKILL');
  }, 120_000);

  it('streams stdin to a reader slower than the gateway without exceeding its window', async () => {
    // dd reads a byte at a time, so the pipe never drains and every write of the agent is partial:
    // the agent must count only unacknowledged bytes against the window (it once counted all of them).
    const data = randomBytes(3 * MB);
    const session = await runtime.exec(id, { argv: ['sh', '-c', 'dd bs=1 status=none | wc -c'] });
    const r = await collectOutput(session, { maxOutputBytes: MB, stdin: data });
    expect(r.stdout.toString().trim()).toBe(String(data.length));
    expect(r.exit.exitCode).toBe(0);
    expect(await runtime.agentServes(id)).toBe(true);
  }, 120_000);

  it('runs a built-in under the same timeout as any command, and argv for a built-in it lacks', async () => {
    const tmp = `/tmp/stage-${randomBytes(4).toString('hex')}`;
    // `stage` copies stdin until EOF, which never comes: only the timeout ends it.
    const staged = await runtime.exec(id, {
      argv: ['false'],
      builtin: { name: 'stage', args: [`${tmp}.target`, tmp] },
      timeoutMs: 300,
    });
    staged.stdout.resume();
    staged.stderr.resume();
    expect(await staged.wait()).toMatchObject({ timedOut: true, signal: 'SIGKILL' });
    expect((await sh(`test -e ${tmp} && echo staged`)).stdout.toString()).toBe('staged\n');
    const unknown = await run({ argv: ['echo', 'argv ran'], builtin: { name: 'no-such-builtin', args: [] } });
    expect(unknown.stdout.toString()).toBe('argv ran\n');
  }, 120_000);

  it('gives a command in flight a clear error when the agent is killed, and the next exec succeeds', async () => {
    const long = await runtime.exec(id, { argv: ['sleep', '30'] });
    const killed = await sh(`${AGENT_PID}; kill -9 "$a"`).catch((err: Error) => err);
    expect(killed).toBeInstanceOf(Error);
    await expect(collectOutput(long, { maxOutputBytes: MB })).rejects.toMatchObject({
      code: 'unavailable',
      message: expect.stringContaining('the sandbox agent stopped mid-command'),
    });
    expect((await sh('echo back')).stdout.toString()).toBe('back\n');
    expect(await runtime.agentServes(id)).toBe(true);
  }, 120_000);

  if (!forgeable) {
    it('refuses code in the sandbox that tries to write to the agent', async () => {
      const r = await sh(`${AGENT_PID}; printf x >/proc/$a/fd/1`);
      expect(r.exit.exitCode).not.toBe(0);
      expect(r.stderr.toString()).toMatch(/denied|not permitted|no such device/i);
    });
  } else {
    it.each([
      ['garbage', "printf 'this is not a frame, not at all......' >/proc/$a/fd/1"],
      ['an oversized frame', "printf '\\377\\377\\377\\377\\202\\0\\0\\0\\1' >/proc/$a/fd/1"],
      ['output for a command that is not running', "printf '\\0\\0\\0\\1\\202\\177\\0\\0\\1x' >/proc/$a/fd/1"],
    ])(
      'drops an agent that sends %s, and starts a new one',
      async (_what, forge) => {
        const victim = await runtime.exec(id, { argv: ['sleep', '30'] });
        await sh(`${AGENT_PID}; ${forge}; sleep 30`).catch(() => undefined);
        await expect(collectOutput(victim, { maxOutputBytes: MB })).rejects.toMatchObject({
          message: expect.stringContaining('broke the protocol'),
        });
        expect((await sh('echo again')).stdout.toString()).toBe('again\n');
      },
      120_000,
    );
  }

  it('never fell back to per-call exec', () => expect(fallbacks).toEqual([]));

  it('an idle agent exits, what it started in the background lives on, and the next exec starts a new agent', async () => {
    const idle = routed(inner, fallbacks, 300);
    const r = await collectOutput(
      await idle.exec(id, {
        argv: ['sh', '-c', 'setsid sleep 3041 </dev/null >/dev/null 2>&1 & echo $!'],
        keepBackground: true,
      }),
      { maxOutputBytes: MB },
    );
    const pid = r.stdout.toString().trim();
    expect(pid).toMatch(/^\d+$/);
    await waitFor(async () => !(await idle.agentServes(id)), { what: 'the idle agent to exit' });
    const alive = await collectOutput(
      await idle.exec(id, { argv: ['sh', '-c', `kill -0 ${pid} && echo alive; kill ${pid}`] }),
      {
        maxOutputBytes: MB,
      },
    );
    expect(alive.stdout.toString()).toBe('alive\n');
    expect(await idle.agentServes(id)).toBe(true);
    await idle.closeAgents();
  }, 120_000);
}

describe('sandbox agent trust: local', () => agentTrust(localRuntime(), false));
describeWithDocker('sandbox agent trust: docker', await dockerUnavailableReason(CONTAINER_IMAGES), () =>
  agentTrust(dockerRuntime(), true),
);
