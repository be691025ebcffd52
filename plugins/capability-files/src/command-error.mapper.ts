import {
  ConflictError,
  ForbiddenError,
  InvalidArgumentError,
  LimitExceededError,
  NotFoundError,
  SandboxedError,
} from '@sandboxed/plugin-sdk';
import type { CollectedOutput } from '@sandboxed/plugin-sdk';

type ErrorFactory = (message: string, details: unknown) => SandboxedError;
/** A fixed phrase, or the matched text itself when it carries detail worth keeping. */
type Reason = string | ((match: RegExpMatchArray) => string);

/**
 * Known failure phrases of coreutils/findutils/sh (the scripts run with LC_ALL=C, and the
 * scripts of this plugin print the same phrases for the checks they make themselves).
 */
const RULES: ReadonlyArray<[RegExp, Reason, ErrorFactory]> = [
  [/No such file or directory|Directory nonexistent/, 'No such file or directory', (m, d) => new NotFoundError(m, d)],
  [/Directory not empty/, 'Directory not empty', (m, d) => new ConflictError(m, d)],
  [/File exists/, 'File exists', (m, d) => new ConflictError(m, d)],
  [
    /cannot overwrite (non-)?directory[^\n]*/,
    'cannot overwrite a directory with a non-directory or the reverse',
    (m, d) => new ConflictError(m, d),
  ],
  [/Is a directory/, 'Is a directory', (m, d) => new InvalidArgumentError(m, d)],
  [/Not a directory/, 'Not a directory', (m, d) => new InvalidArgumentError(m, d)],
  [
    /Not a regular file(?: \(a [A-Za-z ]+\))?/,
    (match) => `${match[0]}; files operations read regular files only`,
    (m, d) => new InvalidArgumentError(m, d),
  ],
  [
    /into itself|subdirectory of itself/,
    'cannot move or copy a directory into itself',
    (m, d) => new InvalidArgumentError(m, d),
  ],
  [/are the same file/, 'source and destination are the same file', (m, d) => new InvalidArgumentError(m, d)],
  [/Too many levels of symbolic links/, 'Too many levels of symbolic links', (m, d) => new InvalidArgumentError(m, d)],
  [/File name too long/, 'File name too long', (m, d) => new InvalidArgumentError(m, d)],
  [
    /Read-only file system/,
    'Read-only file system (the sandbox mounts this path read-only)',
    (m, d) => new ForbiddenError(m, d),
  ],
  [/Permission denied|Operation not permitted/, 'Permission denied', (m, d) => new ForbiddenError(m, d)],
  [
    /Device or resource busy/,
    'Device or resource busy (a mount point, such as a file the runtime mounts into the sandbox, cannot be replaced, moved or removed)',
    (m, d) => new ConflictError(m, d),
  ],
  [/No space left on device|Disk quota exceeded/, 'No space left on device', (m, d) => new LimitExceededError(m, d)],
];

/** Turns a failed in-sandbox command into a typed error; `subject` says what was attempted, e.g. `Cannot delete '/workspace/a'`. */
export function commandError(out: CollectedOutput, subject: string): SandboxedError {
  const stderr = out.stderr.toString('utf8').trim();
  const details = { exitCode: out.exit.exitCode, stderr: stderr.slice(0, 2000) };
  for (const [pattern, reason, make] of RULES) {
    const match = stderr.match(pattern);
    if (match) return make(`${subject}: ${typeof reason === 'string' ? reason : reason(match)}`, details);
  }
  const firstLine = stderr.split('\n')[0] || `exit code ${out.exit.exitCode}`;
  return new SandboxedError('internal', 500, `${subject}: ${firstLine}`, details);
}
