import { posix } from 'node:path';
import { InvalidArgumentError, type ExecRequest } from '@sandboxed/plugin-sdk';

export function validateExecRequest(req: ExecRequest): void {
  if (
    !Array.isArray(req.argv) ||
    req.argv.length === 0 ||
    !req.argv.every((a) => typeof a === 'string' && !a.includes('\0'))
  ) {
    throw new InvalidArgumentError('argv must be a non-empty array of strings without NUL bytes');
  }
  if (req.cwd !== undefined && (typeof req.cwd !== 'string' || req.cwd.includes('\0'))) {
    throw new InvalidArgumentError('Invalid cwd');
  }
  if (req.timeoutMs !== undefined && !(Number.isFinite(req.timeoutMs) && req.timeoutMs >= 0)) {
    throw new InvalidArgumentError('timeoutMs must be a non-negative number');
  }
  if (req.keepBackground !== undefined && typeof req.keepBackground !== 'boolean') {
    throw new InvalidArgumentError('keepBackground must be a boolean');
  }
}

/** A path inside the sandbox: absolute as given, relative against the workdir; normalized. */
export function resolveSandboxPath(workdir: string, path: string | undefined): string {
  if (path === undefined || path === '') return workdir;
  if (typeof path !== 'string' || path.includes('\0')) throw new InvalidArgumentError('Invalid path');
  return posix.resolve(workdir, path);
}
