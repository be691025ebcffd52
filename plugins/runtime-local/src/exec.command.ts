import { posix } from 'node:path';
import type { SandboxResources } from '@sandboxed/plugin-sdk';
import { shellJoin } from './shell-quote.util.js';

export const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
export const DEFAULT_TTY_SIZE = { cols: 80, rows: 24 } as const;

/** rlimits applied to every exec (best effort; the local runtime has no cgroups). */
export const RLIMIT_DEFAULTS = {
  nofile: 8192,
  fsizeBytes: 8 * 1024 ** 3,
  /** Floor for the per-process data limit derived from resources.memoryMb. */
  minDataMb: 1024,
} as const;

export interface ExecCommandOptions {
  argv: readonly string[];
  /** Absolute working directory as seen by the process. */
  cwd: string;
  resources: SandboxResources;
  tty?: { cols: number; rows: number };
  /** With bwrap isolation: the nsenter binary and the holder's child pid to join. */
  join?: { nsenterPath: string; targetPid: number; userns: boolean };
  /** Switch to this host uid/gid (needs root) before running the program. */
  runAs?: { uid: number; gid: number };
}

/** Resolves a request cwd against the workdir (relative paths are relative to it). */
export function resolveCwd(workdir: string, cwd: string | undefined): string {
  return cwd ? posix.resolve(workdir, cwd) : workdir;
}

function limitArgs(resources: SandboxResources): string[] {
  const args = [`--nofile=${RLIMIT_DEFAULTS.nofile}`, `--fsize=${RLIMIT_DEFAULTS.fsizeBytes}`, '--core=0'];
  // RLIMIT_DATA, not RLIMIT_AS: V8 (node, Chromium), Go and Java reserve gigabytes of
  // address space they never touch, so an address-space cap breaks them outright. Even
  // RLIMIT_DATA needs a floor: node alone maps ~550 MiB of writable memory at start-up.
  if (resources.memoryMb && resources.memoryMb > 0) {
    const mb = Math.max(resources.memoryMb, RLIMIT_DEFAULTS.minDataMb);
    args.push(`--data=${Math.floor(mb * 1024 * 1024)}`);
  }
  return args;
}

/**
 * The command line for an exec:
 *   [nsenter --target P [--user] --mount --pid --net --ipc --uts --root --wd --]
 *   prlimit <limits> -- setpriv [--reuid U --regid G --clear-groups] --no-new-privs
 *     --bounding-set=-all --inh-caps=-all --
 *   env -C <cwd> -- <argv | script -qfec '<argv>' /dev/null>
 * Everything after nsenter runs inside the sandbox's namespaces, so binaries and the cwd
 * resolve in the sandbox's mount namespace (never on the host).
 */
export function buildExecCommand(opts: ExecCommandOptions): { file: string; args: string[] } {
  let program = [...opts.argv];
  if (opts.tty) {
    const { cols, rows } = opts.tty;
    const script = `stty cols ${cols} rows ${rows} 2>/dev/null; exec ${shellJoin(program)}`;
    program = ['/usr/bin/script', '-qfec', script, '/dev/null'];
  }
  const inner = [
    '/usr/bin/prlimit',
    ...limitArgs(opts.resources),
    '--',
    '/usr/bin/setpriv',
    ...(opts.runAs ? [`--reuid=${opts.runAs.uid}`, `--regid=${opts.runAs.gid}`, '--clear-groups'] : []),
    '--no-new-privs',
    '--bounding-set=-all',
    '--inh-caps=-all',
    '--',
    '/usr/bin/env',
    '-C',
    opts.cwd,
    '--',
    ...program,
  ];
  if (!opts.join) return { file: inner[0]!, args: inner.slice(1) };
  return {
    file: opts.join.nsenterPath,
    args: [
      '--target',
      String(opts.join.targetPid),
      ...(opts.join.userns ? ['--user'] : []),
      '--mount',
      '--pid',
      '--net',
      '--ipc',
      '--uts',
      '--root',
      '--wd',
      '--',
      ...inner,
    ],
  };
}
