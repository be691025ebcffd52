import { InvalidArgumentError, sandboxOperation } from '@sandboxed/plugin-sdk';
import type { Limits } from '@sandboxed/plugin-sdk';
import { commandError } from './command-error.mapper.js';
import { GREP_DEFAULT_RESULTS, GrepFilesInput, GrepFilesOutput } from './file-listing.dto.js';
import { filesToolkit } from './files.toolkit.js';
import { parseGrepOutput } from './grep-output.parser.js';
import { REGULAR_FUNCTION } from './regular-file.script.js';
import { SandboxPathResolver } from './sandbox-path.resolver.js';

const BAD_PATTERN = 2;

// $1 path, $2 line cap, $3 '-i' or '', $4 pattern, $5 include glob or ''.
// The pattern is checked on its own first: in the pipeline grep's exit status is lost.
// The path must be a directory or a regular file; -D skip passes over FIFOs, sockets and devices.
const GREP_SCRIPT = `${REGULAR_FUNCTION}
[ -e "$1" ] || { echo "No such file or directory" >&2; exit 1; }
[ -d "$1" ] || regular "$1" || exit 1
grep -qP $3 -e "$4" </dev/null
[ $? -eq 2 ] && exit ${BAD_PATTERN}
if [ -n "$5" ]; then
  grep -rnHIZsP -D skip $3 -m "$2" --include="$5" -e "$4" -- "$1"
else
  grep -rnHIZsP -D skip $3 -m "$2" -e "$4" -- "$1"
fi | head -n "$2"
exit 0
`;

export function grepFilesOperation(limits: Limits) {
  return sandboxOperation({
    id: 'files.grep',
    summary: 'Search file contents by regex',
    description:
      'Searches files under `path` (recursively; symlinks below it are not followed) for lines matching a PCRE regular expression, optionally only in files whose name matches `glob`. Binary files are skipped, each line is cut to 1000 characters, and at most `maxResults` lines are returned. An invalid regex is a 400 with the reason.',
    input: GrepFilesInput,
    output: GrepFilesOutput,
    hints: { readOnly: true, idempotent: true },
    http: { method: 'POST', path: 'files/grep' },
    handler: async (ctx, input): Promise<GrepFilesOutput> => {
      const { shell, paths } = filesToolkit(ctx, limits);
      const base = await paths.resolve(input.path ?? '.');
      const max = input.maxResults ?? GREP_DEFAULT_RESULTS;
      const out = await shell.script(
        GREP_SCRIPT,
        [base.real, String(max + 1), input.ignoreCase ? '-i' : '', input.pattern, input.glob ?? ''],
        { maxOutputBytes: limits.exec.maxOutputBytes, env: { LC_ALL: 'C.UTF-8' }, builtin: 'grep' },
      );
      if (out.exit.exitCode === BAD_PATTERN) {
        const reason = out.stderr
          .toString('utf8')
          .trim()
          .replace(/^grep: /, '');
        throw new InvalidArgumentError(`Invalid regular expression '${input.pattern}': ${reason}`, {
          pattern: input.pattern,
        });
      }
      if (out.exit.exitCode !== 0) throw commandError(out, `Cannot search '${base.path}'`);
      const found = parseGrepOutput(out.stdout);
      const matches = found.slice(0, max).map((m) => ({
        path: SandboxPathResolver.toCallerPath(base, m.file),
        line: m.line,
        text: m.text,
      }));
      return { matches, truncated: found.length > max || out.truncated };
    },
  });
}
