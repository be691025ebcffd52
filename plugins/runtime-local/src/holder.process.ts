import { spawn } from 'node:child_process';
import { constants } from 'node:fs';
import { open, readdir, readFile } from 'node:fs/promises';
import { UnavailableError } from '@sandboxed/plugin-sdk';
import { HOLDER_HOME_ENV, HOLDER_ID_ENV, holderBwrapArgs } from './bwrap.command.js';
import type { LocalNetwork } from './local-runtime.options.js';
import type { HolderRef } from './sandbox-meta.store.js';
import { pollUntil, readCmdline, signalQuietly } from './process.helpers.js';
import { descendants } from './process-tree.helpers.js';

/** Holders started by this version (user namespace owned by the sandbox uid, seccomp); others are restarted. */
export const HOLDER_GENERATION = 2;

export interface HolderStartOptions {
  sandboxId: string;
  /** See HolderCommandOptions.homeTag. */
  homeTag: string;
  helperPath: string;
  bwrapPath: string;
  /** The sandbox's cgroup directories, joined before bwrap starts. */
  cgroups: readonly string[];
  /** Host uid/gid bwrap runs as (the gateway is root). */
  runAs?: { uid: number; gid: number };
  tmpBytes?: number;
  /** Host path of the workspace; opened here and handed to bwrap as an fd. */
  workspace: string;
  network: LocalNetwork;
  /** bwrap's stderr goes here, for error messages. */
  logPath: string;
  startTimeoutMs?: number;
}

const INFO_FD = 3;
const WORKSPACE_FD = 4;

/**
 * Starts a sandbox's holder: a detached bwrap (own session and process group, so it
 * survives a gateway restart) whose child sits in fresh namespaces running `sleep infinity`.
 * Resolves once bwrap reports its child pid on --info-fd.
 */
export async function startHolder(opts: HolderStartOptions): Promise<HolderRef> {
  const log = await open(opts.logPath, 'w', 0o600);
  const workspace = await open(opts.workspace, constants.O_RDONLY | constants.O_DIRECTORY | constants.O_NOFOLLOW).catch(
    async (err: unknown) => {
      await log.close();
      throw err;
    },
  );
  const helperArgs = ['holder'];
  for (const dir of opts.cgroups) helperArgs.push('--cgroup', dir);
  if (opts.runAs) helperArgs.push('--uid', String(opts.runAs.uid), '--gid', String(opts.runAs.gid));
  let child;
  try {
    child = spawn(
      opts.helperPath,
      [
        ...helperArgs,
        '--',
        opts.bwrapPath,
        ...holderBwrapArgs({
          sandboxId: opts.sandboxId,
          homeTag: opts.homeTag,
          workspaceFd: WORKSPACE_FD,
          network: opts.network,
          infoFd: INFO_FD,
          ...(opts.tmpBytes !== undefined ? { tmpBytes: opts.tmpBytes } : {}),
        }),
      ],
      { detached: true, stdio: ['ignore', log.fd, log.fd, 'pipe', workspace.fd], env: {} },
    );
  } finally {
    await log.close();
    await workspace.close();
  }
  const info = child.stdio[INFO_FD] as NodeJS.ReadableStream & { destroy(): void };
  try {
    const childPid = await new Promise<number>((resolve, reject) => {
      let text = '';
      const timer = setTimeout(
        () => reject(new Error('timed out waiting for bwrap to start')),
        opts.startTimeoutMs ?? 10_000,
      );
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
    // bwrap reports the pid before its child finished mounting; the sandbox is ready once
    // the command (`sleep`) runs, as pid 1's child.
    const ready = await pollUntil(
      async () => {
        const kids = await descendants(childPid);
        const argvs = await Promise.all(kids.map((k) => readCmdline(k.pid)));
        return argvs.some((argv) => argv?.[0] === 'sleep' || argv?.[0]?.endsWith('/sleep') === true);
      },
      opts.startTimeoutMs ?? 10_000,
      2,
    );
    if (!ready) throw new Error('timed out waiting for the sandbox to be set up');
    return { pid: child.pid, childPid, generation: HOLDER_GENERATION };
  } catch (err) {
    if (child.pid !== undefined) signalQuietly(-child.pid, 'SIGKILL');
    const stderr = await readFile(opts.logPath, 'utf8').catch(() => '');
    throw new UnavailableError(
      `Could not start the sandbox (bubblewrap): ${(err as Error).message}${stderr ? `: ${stderr.trim().slice(0, 500)}` : ''}`,
      {
        stderr: stderr.trim().slice(0, 2000),
      },
    );
  } finally {
    info.destroy();
    child.unref();
  }
}

/** True when `pid` is alive and really the holder of this sandbox (guards against pid reuse). */
export async function isOurHolderProcess(pid: number, sandboxId: string): Promise<boolean> {
  const argv = await readCmdline(pid);
  if (!argv || !argv.includes('infinity')) return false;
  return argv.some((a, i) => a === '--setenv' && argv[i + 1] === HOLDER_ID_ENV && argv[i + 2] === sandboxId);
}

export async function isHolderAlive(ref: HolderRef | undefined, sandboxId: string): Promise<boolean> {
  return ref?.generation === HOLDER_GENERATION && (await isOurHolderProcess(ref.childPid, sandboxId));
}

/** Every live holder process of this data dir: `{pid, sandboxId}`, outer bwrap and its child alike. */
export async function findHolders(homeTag: string): Promise<{ pid: number; sandboxId: string }[]> {
  const pids = (await readdir('/proc').catch(() => [] as string[])).filter((n) => /^\d+$/.test(n)).map(Number);
  const found = await Promise.all(
    pids.map(async (pid) => {
      const argv = await readCmdline(pid);
      if (!argv?.includes('infinity')) return undefined;
      const tag = (name: string): string | undefined => {
        const i = argv.findIndex((a, k) => a === '--setenv' && argv[k + 1] === name);
        return i >= 0 ? argv[i + 2] : undefined;
      };
      const sandboxId = tag(HOLDER_ID_ENV);
      return tag(HOLDER_HOME_ENV) === homeTag && sandboxId ? { pid, sandboxId } : undefined;
    }),
  );
  return found.filter((h): h is { pid: number; sandboxId: string } => h !== undefined);
}

/**
 * Kills the holder: its process group and the namespace's pid 1 (which takes every
 * process of the sandbox's pid namespace with it). Only pids verified to be ours.
 */
export async function killHolder(ref: HolderRef | undefined, sandboxId: string): Promise<void> {
  if (!ref) return;
  const [outer, inner] = await Promise.all([
    isOurHolderProcess(ref.pid, sandboxId),
    isOurHolderProcess(ref.childPid, sandboxId),
  ]);
  if (outer) signalQuietly(-ref.pid, 'SIGKILL');
  if (inner) signalQuietly(ref.childPid, 'SIGKILL');
  if (outer || inner) {
    await pollUntil(async () => !(await isOurHolderProcess(ref.childPid, sandboxId)), 2000);
  }
}
