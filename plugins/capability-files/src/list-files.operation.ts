import { posix } from 'node:path';
import { sandboxOperation } from '@sandboxed/plugin-sdk';
import type { Limits } from '@sandboxed/plugin-sdk';
import { ListFilesInput, ListFilesOutput } from './file-listing.dto.js';
import { filesToolkit } from './files.toolkit.js';
import { FIND_RECORD_FORMAT, listingOutputBytes, parseFindRecords } from './find-record.parser.js';

// $1 dir, $2 record cap, $3 '1' for recursive. find -P (the default) never follows symlinks.
const LIST_SCRIPT = `
[ -e "$1" ] || { echo "No such file or directory" >&2; exit 1; }
[ -d "$1" ] || { echo "Not a directory" >&2; exit 1; }
if [ "$3" = 1 ]; then depth=; else depth="-maxdepth 1"; fi
find "$1" -mindepth 1 $depth -printf '${FIND_RECORD_FORMAT}' | head -z -n "$2"
`;

export function listFilesOperation(limits: Limits) {
  return sandboxOperation({
    id: 'files.list',
    summary: 'List a directory',
    description:
      'Lists the entries of a directory (or its whole tree with `recursive`), with type, size and modification time. Symlinks are listed, not followed. At most the configured number of entries is returned; `truncated` says when there were more.',
    input: ListFilesInput,
    output: ListFilesOutput,
    hints: { readOnly: true, idempotent: true },
    http: { method: 'POST', path: 'files/list' },
    handler: async (ctx, input): Promise<ListFilesOutput> => {
      const { shell, paths } = filesToolkit(ctx, limits);
      const dir = await paths.resolve(input.path ?? '.');
      const max = limits.files.maxListEntries;
      const out = await shell.checkedScript(
        LIST_SCRIPT,
        [dir.real, String(max + 1), input.recursive ? '1' : '0'],
        `Cannot list '${dir.path}'`,
        { maxOutputBytes: listingOutputBytes(limits), builtin: 'list' },
      );
      const records = parseFindRecords(out.stdout);
      const truncated = records.length > max || out.truncated;
      const entries = records.slice(0, max).map((r) => ({
        name: posix.basename(r.relative),
        path: posix.join(dir.path, r.relative),
        type: r.type,
        size: r.size,
        mtime: r.mtime,
      }));
      entries.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
      return { entries, truncated };
    },
  });
}
