import { ForbiddenError, sandboxOperation } from '@sandboxed/plugin-sdk';
import type { Limits } from '@sandboxed/plugin-sdk';
import { DeleteFileInput, FilePathOutput } from './file-management.dto.js';
import { filesToolkit } from './files.toolkit.js';

// $1 path, $2 '1' for recursive. A symlink is removed itself, even one to a directory.
const DELETE_SCRIPT = `
[ -e "$1" ] || [ -L "$1" ] || { echo "No such file or directory" >&2; exit 1; }
if [ -d "$1" ] && [ ! -L "$1" ]; then
  if [ "$2" = 1 ]; then exec rm -rf -- "$1"; else exec rmdir -- "$1"; fi
fi
exec rm -f -- "$1"
`;

export function deleteFileOperation(limits: Limits) {
  return sandboxOperation({
    id: 'files.delete',
    summary: 'Delete a file or directory',
    description:
      'Deletes a file, a symlink (not its target) or a directory. A non-empty directory needs `recursive` (409 otherwise); a missing path is 404. Neither the workspace root nor the file system root can be deleted.',
    input: DeleteFileInput,
    output: FilePathOutput,
    hints: { destructive: true },
    http: { method: 'POST', path: 'files/delete' },
    handler: async (ctx, input): Promise<FilePathOutput> => {
      const { shell, paths } = filesToolkit(ctx, limits);
      const target = await paths.resolve(input.path, 'link');
      if (target.isRoot)
        throw new ForbiddenError(
          `Refusing to delete '${target.path}': the workspace root and the file system root cannot be deleted`,
          { path: input.path },
        );
      await shell.checkedScript(
        DELETE_SCRIPT,
        [target.real, input.recursive ? '1' : '0'],
        `Cannot delete '${target.path}'`,
        { builtin: 'delete' },
      );
      return { path: target.path };
    },
  });
}
