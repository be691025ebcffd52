import { spawn } from 'node:child_process';
import { open, readFile } from 'node:fs/promises';
import { UnavailableError } from '@sandboxed/plugin-sdk';
import { holderBwrapArgs } from './bwrap.command.js';
import type { LocalNetwork } from './local-runtime.options.js';
import type { HolderRef } from './sandbox-meta.store.js';
import { pollUntil, readCmdline, signalQuietly } from './process.helpers.js';

export interface HolderStartOptions {
  bwrapPath: string;
  workspace: string;
  network: LocalNetwork;
  /** bwrap's stderr goes here, for error messages. */
  logPath: string;
  startTimeoutMs?: number;
}

const INFO_FD = 3;

/**
 * Starts a sandbox's holder: a detached bwrap (own session and process group, so it
 * survives a gateway restart) whose child sits in fresh namespaces running `sleep infinity`.
 * Resolves once bwrap reports its child pid on --info-fd.
 */
export async function startHolder(opts: HolderStartOptions): Promise<HolderRef> {
  const log = await open(opts.logPath, 'w', 0o600);
  let child;
  try {
    child = spawn(opts.bwrapPath, holderBwrapArgs({ workspace: opts.workspace, network: opts.network, infoFd: INFO_FD }), {
      detached: true,
      stdio: ['ignore', log.fd, log.fd, 'pipe'],
      env: { PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', LANG: 'C.UTF-8' },
    });
  } finally {
    await log.close();
  }
  const info = child.stdio[INFO_FD] as NodeJS.ReadableStream & { destroy(): void };
  try {
    const childPid = await new Promise<number>((resolve, reject) => {
      let text = '';
      const timer = setTimeout(() => reject(new Error('timed out waiting for bwrap to start')), opts.startTimeoutMs ?? 10_000);
      const done = (fn: () => void): void => {
        clearTimeout(timer);
        fn();
      };
      child.once('error', (err) => done(() => reject(err)));
      child.once('exit', (code, signal) => done(() => reject(new Error(`bwrap exited (${signal ?? `code ${code}`})`))));
      info.on('data', (chunk: Buffer) => {
        text += chunk.toString('utf8');
        // bwrap writes one JSON object; it may arrive in pieces, so wait until it parses.
        let parsed: { 'child-pid'?: unknown };
        try {
          parsed = JSON.parse(text) as { 'child-pid'?: unknown };
        } catch {
          return;
        }
        const pid = parsed['child-pid'];
        if (typeof pid === 'number' && Number.isInteger(pid) && pid > 1) done(() => resolve(pid));
        else done(() => reject(new Error(`unexpected bwrap info: ${text.slice(0, 200)}`)));
      });
    });
    if (child.pid === undefined) throw new Error('bwrap did not start');
    return { pid: child.pid, childPid };
  } catch (err) {
    if (child.pid !== undefined) signalQuietly(-child.pid, 'SIGKILL');
    const stderr = await readFile(opts.logPath, 'utf8').catch(() => '');
    throw new UnavailableError(`Could not start the sandbox (bubblewrap): ${(err as Error).message}`, {
      stderr: stderr.trim().slice(0, 2000),
    });
  } finally {
    info.destroy();
    child.unref();
  }
}

/** True when `pid` is alive and really a holder of this workspace (guards against pid reuse). */
export async function isOurHolderProcess(pid: number, workspace: string): Promise<boolean> {
  const argv = await readCmdline(pid);
  return argv !== undefined && argv.includes(workspace) && argv.includes('infinity');
}

export async function isHolderAlive(ref: HolderRef | undefined, workspace: string): Promise<boolean> {
  return ref !== undefined && (await isOurHolderProcess(ref.childPid, workspace));
}

/**
 * Kills the holder: its process group and the namespace's pid 1 (which takes every
 * process of the sandbox's pid namespace with it). Only pids verified to be ours.
 */
export async function killHolder(ref: HolderRef | undefined, workspace: string): Promise<void> {
  if (!ref) return;
  const [outer, inner] = await Promise.all([isOurHolderProcess(ref.pid, workspace), isOurHolderProcess(ref.childPid, workspace)]);
  if (outer) signalQuietly(-ref.pid, 'SIGKILL');
  if (inner) signalQuietly(ref.childPid, 'SIGKILL');
  if (outer || inner) {
    await pollUntil(async () => !(await isOurHolderProcess(ref.childPid, workspace)), 2000);
  }
}
