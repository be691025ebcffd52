import { posix } from 'node:path';
import { InvalidArgumentError } from './errors.js';
import type { ExecRequest } from './runtime.types.js';

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** The env as name/value pairs; a 400 for a name that is not a shell identifier or a value with NUL. */
export function checkedEnv(env: Record<string, string>): Array<[string, string]> {
  return Object.entries(env).map(([k, v]) => {
    if (!ENV_NAME.test(k) || typeof v !== 'string' || v.includes('\0')) {
      throw new InvalidArgumentError(`Invalid environment variable: ${k.slice(0, 100)}`);
    }
    return [k, v];
  });
}

export function validateExecRequest(req: ExecRequest): void {
  if (!Array.isArray(req.argv) || req.argv.length === 0 || !noNul(req.argv)) {
    throw new InvalidArgumentError('argv must be a non-empty array of strings without NUL bytes');
  }
  if (req.timeoutMs !== undefined && !(Number.isFinite(req.timeoutMs) && req.timeoutMs >= 0)) {
    throw new InvalidArgumentError('timeoutMs must be a non-negative number');
  }
  if (req.keepBackground !== undefined && typeof req.keepBackground !== 'boolean') {
    throw new InvalidArgumentError('keepBackground must be a boolean');
  }
  const b = req.builtin;
  if (
    b !== undefined &&
    !(typeof b.name === 'string' && b.name && Array.isArray(b.args) && noNul([b.name, ...b.args]))
  ) {
    throw new InvalidArgumentError('builtin must name a built-in and give string arguments without NUL bytes');
  }
}

function noNul(values: unknown[]): boolean {
  return values.every((a) => typeof a === 'string' && !a.includes('\0'));
}

/** Kernel filesystems: never a working directory (runc CVE-2024-21626 used /proc/self/fd/N as one). */
const KERNEL_DIRS = ['/proc', '/sys', '/dev'];
const MAX_CWD_LENGTH = 4096;

/**
 * The exec's working directory: resolved against the workdir and normalised; a 400 for a NUL
 * byte, an overlong path, or anything under /proc, /sys or /dev.
 */
export function resolveExecCwd(workdir: string, cwd: string | undefined): string {
  if (cwd === undefined || cwd === '') return workdir;
  if (typeof cwd !== 'string' || cwd.includes('\0')) {
    throw new InvalidArgumentError('cwd must be a path without NUL bytes');
  }
  if (cwd.length > MAX_CWD_LENGTH) throw new InvalidArgumentError(`cwd is longer than ${MAX_CWD_LENGTH} characters`);
  const resolved = posix.resolve(workdir, cwd);
  const kernel = KERNEL_DIRS.find((d) => resolved === d || resolved.startsWith(`${d}/`));
  if (kernel) {
    throw new InvalidArgumentError(
      `cwd ${resolved.slice(0, 200)} is not allowed: /proc, /sys and /dev are not working directories; ` +
        'use a directory under the workdir or /tmp',
      { cwd: resolved.slice(0, 200) },
    );
  }
  return resolved;
}

/** A path inside the sandbox: absolute as given, relative against the workdir; normalized. */
export function resolveSandboxPath(workdir: string, path: string | undefined): string {
  if (path === undefined || path === '') return workdir;
  if (typeof path !== 'string' || path.includes('\0')) throw new InvalidArgumentError('Invalid path');
  return posix.resolve(workdir, path);
}
