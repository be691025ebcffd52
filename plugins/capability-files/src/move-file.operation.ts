import { ForbiddenError, sandboxOperation } from '@sandboxed/plugin-sdk';
import type { Limits } from '@sandboxed/plugin-sdk';
import { FileTransferOutput, MoveFileInput } from './file-management.dto.js';
import { filesToolkit } from './files.toolkit.js';
import { REPLACE_FUNCTION } from './replace-path.script.js';

// $1 from, $2 to, $3 '1' to overwrite.
const MOVE_SCRIPT = `${REPLACE_FUNCTION}
exists "$1" || { echo "No such file or directory" >&2; exit 1; }
if [ "$3" != 1 ] && exists "$2"; then echo "File exists" >&2; exit 1; fi
mkdir -p -- "$(dirname -- "$2")" || exit 1
replace "$1" "$2"
`;

export function moveFileOperation(limits: Limits) {
  return sandboxOperation({
    id: 'files.move',
    summary: 'Move or rename a file or directory',
    description:
      '`to` is the exact new path, not a directory to move into; its parents are created. An existing `to` is a conflict (409) unless `overwrite` is set, and even then a directory is only replaced by a directory.',
    input: MoveFileInput,
    output: FileTransferOutput,
    hints: { destructive: true },
    http: { method: 'POST', path: 'files/move' },
    handler: async (ctx, input): Promise<FileTransferOutput> => {
      const { shell, paths } = filesToolkit(ctx, limits);
      const [from, to] = await paths.resolveAll([
        { path: input.from, mode: 'link' },
        { path: input.to, mode: 'link' },
      ]);
      if (from!.isRoot || to!.isRoot)
        throw new ForbiddenError(
          'Refusing to move or replace a root: the workspace root and the file system root stay where they are',
          { from: input.from, to: input.to },
        );
      await shell.checkedScript(
        MOVE_SCRIPT,
        [from!.real, to!.real, input.overwrite ? '1' : '0'],
        `Cannot move '${from!.path}' to '${to!.path}'`,
        { builtin: 'move' },
      );
      return { from: from!.path, to: to!.path };
    },
  });
}
