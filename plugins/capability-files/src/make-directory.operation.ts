import { sandboxOperation } from '@sandboxed/plugin-sdk';
import type { Limits } from '@sandboxed/plugin-sdk';
import { FilePathOutput, MakeDirectoryInput } from './file-management.dto.js';
import { filesToolkit } from './files.toolkit.js';

export function makeDirectoryOperation(limits: Limits) {
  return sandboxOperation({
    id: 'files.mkdir',
    summary: 'Create a directory',
    description:
      'Creates a directory. With `parents` (the default) missing parents are created and an existing directory is fine; without it the parent must exist and the directory must not (409).',
    input: MakeDirectoryInput,
    output: FilePathOutput,
    hints: { idempotent: true },
    http: { method: 'POST', path: 'files/mkdir' },
    handler: async (ctx, input): Promise<FilePathOutput> => {
      const { shell, paths } = filesToolkit(ctx, limits);
      const dir = await paths.resolve(input.path);
      const flags = input.parents === false ? [] : ['-p'];
      await shell.checkedScript(
        'exec mkdir "$@"',
        [...flags, '--', dir.real],
        `Cannot create directory '${dir.path}'`,
        {
          builtin: 'mkdir',
        },
      );
      return { path: dir.path };
    },
  });
}
