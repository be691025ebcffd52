import { posix } from 'node:path';
import picomatch from 'picomatch';
import { sandboxOperation } from '@sandboxed/plugin-sdk';
import type { Limits } from '@sandboxed/plugin-sdk';
import { GlobFilesInput, GlobFilesOutput } from './file-listing.dto.js';
import { commandError } from './command-error.mapper.js';
import { filesToolkit } from './files.toolkit.js';
import { listingOutputBytes, splitNul } from './find-record.parser.js';

const MISSING = 3;
/** A pattern segment starting with a dot (`.github/**`, `**\/.env`) asks for dot entries explicitly. */
const NAMES_DOT_ENTRY = /(^|\/)\./;

// $1 start dir, $2 record cap, $3 '1' to descend into dot directories. Prints paths relative to $1.
const SCAN_SCRIPT = `
[ -d "$1" ] || exit ${MISSING}
if [ "$3" = 1 ]; then
  find "$1" -mindepth 1 ! -type d -printf '%P\\0'
else
  find "$1" -mindepth 1 -name '.*' -prune -o ! -type d -printf '%P\\0'
fi | head -z -n "$2"
`;

/** Directory the scan can start from: the pattern's literal prefix (`src` for `src/**\/*.ts`). */
function scanBase(pattern: string): string {
  const scanned = picomatch.scan(pattern);
  if (scanned.isGlob) return scanned.base;
  return posix.dirname(pattern) === '.' ? '' : posix.dirname(pattern);
}

export function globFilesOperation(limits: Limits) {
  return sandboxOperation({
    id: 'files.glob',
    summary: 'Find files by glob pattern',
    description:
      'Finds files (and symlinks) under `cwd` whose relative path matches a glob such as `**/*.ts` or `src/{a,b}/*.json`. Dotfiles and dot directories are skipped unless `dot` is set or the pattern names them. The scan is capped at the listing limit; `truncated` says when it was hit.',
    input: GlobFilesInput,
    output: GlobFilesOutput,
    hints: { readOnly: true, idempotent: true },
    http: { method: 'POST', path: 'files/glob' },
    handler: async (ctx, input): Promise<GlobFilesOutput> => {
      const { shell, paths } = filesToolkit(ctx, limits);
      const base = scanBase(input.pattern);
      const [cwd, start] = await paths.resolveAll([
        { path: input.cwd ?? '.' },
        { path: posix.join(input.cwd ?? '.', base) },
      ]);
      const max = limits.files.maxListEntries;
      const scanDotEntries = input.dot === true || NAMES_DOT_ENTRY.test(input.pattern);
      const out = await shell.script(SCAN_SCRIPT, [start!.real, String(max + 1), scanDotEntries ? '1' : '0'], {
        maxOutputBytes: listingOutputBytes(limits),
        builtin: 'scan',
      });
      if (out.exit.exitCode === MISSING) return { cwd: cwd!.path, matches: [], truncated: false };
      if (out.exit.exitCode !== 0) throw commandError(out, `Cannot search '${start!.path}'`);
      const found = splitNul(out.stdout);
      const isMatch = picomatch(input.pattern, { dot: input.dot ?? false });
      const matches = found
        .slice(0, max)
        .map((relative) => (base ? posix.join(base, relative) : relative))
        .filter((candidate) => isMatch(candidate))
        .sort();
      return { cwd: cwd!.path, matches, truncated: found.length > max || out.truncated };
    },
  });
}
