import { posix } from 'node:path';
import type { SandboxResources } from '@sandboxed/plugin-sdk';
import { shellJoin } from './shell-quote.util.js';

export const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
export const DEFAULT_TTY_SIZE = { cols: 80, rows: 24 } as const;

/** rlimits applied to every exec; memory, pids and CPU are the cgroup's job. */
export const RLIMIT_DEFAULTS = {
  nofile: 8192,
  fsizeBytes: 8 * 1024 ** 3,
  /** Floor for the per-process data limit when no cgroup caps memory (best effort). */
  minDataMb: 1024,
} as const;

export interface ExecCommandOptions {
  helperPath: string;
  argv: readonly string[];
  /** Absolute working directory as seen by the process. */
  cwd: string;
  /** The program's whole environment; applied only to the final process, after the privilege drop. */
  env: Readonly<Record<string, string>>;
  resources: SandboxResources;
  tty?: { cols: number; rows: number };
  /** The holder whose namespaces the exec joins (the helper checks the pid is still its); absent with isolation `none`. */
  target?: { pid: number; sandboxId: string };
  /** Host uid/gid to drop to (the gateway is root). */
  runAs?: { uid: number; gid: number };
  /** The sandbox's cgroup directories; empty when the host gives us none. */
  cgroups: readonly string[];
  /** Let background processes outlive the exec (process.start's launcher); see ExecRequest. */
  keepBackground?: boolean;
}

/** Resolves a request cwd against the workdir (relative paths are relative to it). */
export function resolveCwd(workdir: string, cwd: string | undefined): string {
  return cwd ? posix.resolve(workdir, cwd) : workdir;
}

function rlimitArgs(resources: SandboxResources, cgroups: boolean): string[] {
  const limits = [`nofile=${RLIMIT_DEFAULTS.nofile}`, `fsize=${RLIMIT_DEFAULTS.fsizeBytes}`, 'core=0'];
  // Without a memory cgroup, RLIMIT_DATA is the best we have (not RLIMIT_AS: V8, Go and Java
  // reserve gigabytes of address space they never touch). It needs a floor: node alone maps
  // ~550 MiB of writable memory at start-up.
  if (!cgroups && resources.memoryMb && resources.memoryMb > 0) {
    const mb = Math.max(resources.memoryMb, RLIMIT_DEFAULTS.minDataMb);
    limits.push(`data=${Math.floor(mb * 1024 * 1024)}`);
  }
  return limits.flatMap((l) => ['--rlimit', l]);
}

/**
 * One exec is one program on the host, the sandbox helper:
 *   sandbox-helper exec --target P --sandbox ID [--cgroup DIR]... [--uid U --gid G] [--rlimit R=N]...
 *     --cwd CWD [--env K=V]... -- <argv | script -qfec '<argv>' /dev/null>
 * It is started with an empty environment and treats cwd, env and argv as data until it has
 * dropped to the sandbox user inside the sandbox's namespaces (see native/sandbox-helper.c).
 */
export function buildExecCommand(opts: ExecCommandOptions): { file: string; args: string[] } {
  let program = [...opts.argv];
  if (opts.tty) {
    const { cols, rows } = opts.tty;
    const script = `stty cols ${cols} rows ${rows} 2>/dev/null; exec ${shellJoin(program)}`;
    program = ['/usr/bin/script', '-qfec', script, '/dev/null'];
  }
  const args = ['exec'];
  if (opts.target) args.push('--target', String(opts.target.pid), '--sandbox', opts.target.sandboxId);
  for (const dir of opts.cgroups) args.push('--cgroup', dir);
  if (opts.runAs) args.push('--uid', String(opts.runAs.uid), '--gid', String(opts.runAs.gid));
  args.push(...rlimitArgs(opts.resources, opts.cgroups.length > 0), '--cwd', opts.cwd);
  if (opts.keepBackground) args.push('--keep-background');
  for (const [k, v] of Object.entries(opts.env)) args.push('--env', `${k}=${v}`);
  args.push('--', ...program);
  return { file: opts.helperPath, args };
}
