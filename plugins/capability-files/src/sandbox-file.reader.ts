import { LimitExceededError } from '@sandboxed/plugin-sdk';
import { REGULAR_FUNCTION } from './regular-file.script.js';
import type { ResolvedPath } from './sandbox-path.resolver.js';
import type { SandboxShell } from './sandbox-shell.js';

// Prints the size on the first line, then at most $2 bytes of content (nothing if it is bigger).
const READ_SCRIPT = `${REGULAR_FUNCTION}
[ -e "$1" ] || { echo "No such file or directory" >&2; exit 1; }
[ -d "$1" ] && { echo "Is a directory" >&2; exit 1; }
regular "$1" || exit 1
size=$(stat -c %s -- "$1") || exit 1
printf '%s\\n' "$size"
[ "$size" -gt "$2" ] && exit 0
exec head -c "$2" -- "$1"
`;

export interface ReadLimit {
  maxBytes: number;
  /** Appended to the 413 message, e.g. how to fetch a big file instead. */
  hint?: string;
}

/** Reads a whole regular file, refusing files over the limit with a 413 that names both sizes. */
export async function readSandboxFile(shell: SandboxShell, file: ResolvedPath, limit: ReadLimit): Promise<Buffer> {
  const out = await shell.checkedScript(
    READ_SCRIPT,
    [file.real, String(limit.maxBytes)],
    `Cannot read '${file.path}'`,
    {
      maxOutputBytes: limit.maxBytes + 32,
      builtin: 'read',
    },
  );
  const newline = out.stdout.indexOf(0x0a);
  const size = Number(out.stdout.subarray(0, newline).toString('ascii'));
  if (size > limit.maxBytes) {
    throw new LimitExceededError(
      `File '${file.path}' is ${size} bytes, over the limit of ${limit.maxBytes} bytes${limit.hint ? `; ${limit.hint}` : ''}`,
      { path: file.path, size, limit: limit.maxBytes },
    );
  }
  return out.stdout.subarray(newline + 1);
}
