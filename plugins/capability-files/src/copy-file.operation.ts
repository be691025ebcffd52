import { randomBytes } from 'node:crypto';
import { posix } from 'node:path';
import { ForbiddenError, sandboxOperation } from '@sandboxed/plugin-sdk';
import type { Limits } from '@sandboxed/plugin-sdk';
import { CopyFileInput, FileTransferOutput } from './file-management.dto.js';
import { filesToolkit } from './files.toolkit.js';
import { REGULAR_FUNCTION } from './regular-file.script.js';
import { REPLACE_FUNCTION } from './replace-path.script.js';

// $1 from, $2 to, $3 temp sibling of to, $4 '1' recursive, $5 '1' overwrite.
// Copies into the temp sibling first, so `to` never shows a half-finished copy. A FIFO, socket or
// device as the source is refused (cp would block reading it); inside a directory cp -a recreates them.
const COPY_SCRIPT = `${REPLACE_FUNCTION}${REGULAR_FUNCTION}
exists "$1" || { echo "No such file or directory" >&2; exit 1; }
if [ -d "$1" ]; then
  [ "$4" = 1 ] || { echo "Is a directory (set recursive to copy it)" >&2; exit 1; }
else
  regular "$1" || exit 1
fi
if [ "$5" != 1 ] && exists "$2"; then echo "File exists" >&2; exit 1; fi
mkdir -p -- "$(dirname -- "$2")" || exit 1
if [ -d "$1" ]; then cp -a -T -- "$1" "$3"; else cp -p -T -- "$1" "$3"; fi || { rm -rf -- "$3"; exit 1; }
replace "$3" "$2" || { rm -rf -- "$3"; exit 1; }
`;

export function copyFileOperation(limits: Limits) {
  return sandboxOperation({
    id: 'files.copy',
    summary: 'Copy a file or directory',
    description:
      '`to` is the exact path of the copy, not a directory to copy into; its parents are created. Directories need `recursive` (symlinks inside are copied as symlinks). An existing `to` is a conflict (409) unless `overwrite` is set.',
    input: CopyFileInput,
    output: FileTransferOutput,
    hints: { destructive: true },
    http: { method: 'POST', path: 'files/copy' },
    handler: async (ctx, input): Promise<FileTransferOutput> => {
      const { shell, paths } = filesToolkit(ctx, limits);
      const [from, to] = await paths.resolveAll([
        { path: input.from, mode: 'follow' },
        { path: input.to, mode: 'link' },
      ]);
      if (to!.isRoot)
        throw new ForbiddenError(
          'Refusing to replace a root: the workspace root and the file system root cannot be replaced',
          {
            to: input.to,
          },
        );
      const tmp = posix.join(posix.dirname(to!.real), `.sandboxed-${randomBytes(8).toString('hex')}.tmp`);
      await shell.checkedScript(
        COPY_SCRIPT,
        [from!.real, to!.real, tmp, input.recursive ? '1' : '0', input.overwrite ? '1' : '0'],
        `Cannot copy '${from!.path}' to '${to!.path}'`,
        { builtin: 'copy' },
      );
      return { from: from!.path, to: to!.path };
    },
  });
}
