import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { collectOutput } from '@sandboxed/plugin-sdk';
import { sandboxSpec, waitFor } from '@sandboxed/testing';
import { LocalRuntime } from './local.runtime.js';
import { findHolders, isOurHolderProcess } from './holder.process.js';

/** Issue 8, item 9: crash-safe create, stray holders reaped at boot, one gateway per data dir. */
const quiet = { warn: () => undefined };
const spec = () => sandboxSpec('recovery-spec');
const startTime = (pid: number): string => {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]!;
};

describe('local runtime recovery (issue 8, item 9)', () => {
  let dataDir: string;
  let other: ChildProcess | undefined;
  beforeEach(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'sbx-local-recovery-'));
  });
  afterEach(async () => {
    other?.kill('SIGKILL');
    other = undefined;
    await rm(dataDir, { recursive: true, force: true });
  });
  const runtime = () => new LocalRuntime({ dataDir, isolation: 'bwrap', network: 'none' }, quiet);

  it('a holder that no sandbox records (a crash before it was recorded) is reaped at boot', async () => {
    const first = runtime();
    const info = await first.create(spec());
    const metaPath = join(dataDir, info.id, 'meta.json');
    const meta = JSON.parse(await readFile(metaPath, 'utf8')) as { holder?: { pid: number; childPid: number } };
    const holder = meta.holder!;
    expect(await isOurHolderProcess(holder.childPid, info.id)).toBe(true);
    // What a crash between "holder started" and "holder recorded" leaves behind.
    delete meta.holder;
    await writeFile(metaPath, JSON.stringify(meta));

    await runtime().start();
    expect(await isOurHolderProcess(holder.childPid, info.id)).toBe(false);
    // The sandbox itself survives: its next exec starts a fresh holder, and DELETE leaves nothing.
    const restarted = runtime();
    const exec = await restarted.exec(info.id, { argv: ['true'] });
    expect((await exec.wait()).exitCode).toBe(0);
    const fresh = (JSON.parse(await readFile(metaPath, 'utf8')) as { holder: { childPid: number } }).holder;
    await restarted.destroy(info.id);
    expect(await isOurHolderProcess(fresh.childPid, info.id)).toBe(false);
  });

  it('an exec that finds a sandbox still being created waits for its holder instead of starting another', async () => {
    const rt = runtime();
    const sandbox = spec();
    const creating = rt.create(sandbox);
    await waitFor(async () => (await rt.get(sandbox.id)) !== undefined, { what: 'the sandbox to be listed' });
    const exec = await rt.exec(sandbox.id, { argv: ['sh', '-c', 'cat /proc/1/cmdline | tr "\\0" " "'] });
    await creating;
    const out = await collectOutput(exec, { maxOutputBytes: 65536 });
    const holders = (await findHolders(createHash('sha256').update(dataDir).digest('hex').slice(0, 16))).filter(
      (h) => h.sandboxId === sandbox.id,
    );
    expect(holders).toHaveLength(2); // bwrap and its child: one holder
    expect(out.stdout.toString()).toContain(`SANDBOXED_SANDBOX_ID ${sandbox.id}`);
    await rt.destroy(sandbox.id);
  });

  it('a second gateway on the same data dir is refused with a clear error', async () => {
    // Another live process holds the lock (as another gateway would).
    other = spawn('sleep', ['1000'], { stdio: 'ignore' });
    await new Promise((resolve) => other!.once('spawn', resolve));
    await writeFile(join(dataDir, '.lock'), JSON.stringify({ pid: other.pid, start: startTime(other.pid!) }));
    await expect(runtime().start()).rejects.toThrow(/in use by another gateway \(pid \d+\).*own runtime-local dataDir/);
    await expect(runtime().create(spec())).rejects.toMatchObject({ code: 'conflict' });
  });

  it('a lock left by a dead gateway is taken over', async () => {
    await writeFile(join(dataDir, '.lock'), JSON.stringify({ pid: 999_999, start: '1' }));
    await runtime().start();
    const lock = JSON.parse(await readFile(join(dataDir, '.lock'), 'utf8')) as { pid: number };
    expect(lock.pid).toBe(process.pid);
    expect(existsSync(join(dataDir, '.lock'))).toBe(true);
  });
});
