import { sandboxOperation } from '@sandboxed/plugin-sdk';
import type { Limits } from '@sandboxed/plugin-sdk';
import { commandError } from './command-error.mapper.js';
import { StatFileInput, StatFileOutput } from './file-listing.dto.js';
import { filesToolkit } from './files.toolkit.js';
import { epochToIso, fileType } from './find-record.parser.js';

const MISSING = 3;

// Exit 3: nothing there. The path is already resolved, so its final component is no symlink.
const STAT_SCRIPT = `
[ -e "$1" ] || exit ${MISSING}
exec find "$1" -maxdepth 0 -printf '%y/%s/%m/%T@'
`;

export function statFileOperation(limits: Limits) {
  return sandboxOperation({
    id: 'files.stat',
    summary: 'Inspect a path',
    description:
      'Tells whether a path exists and, if so, its type, size, permission bits and modification time. A missing path is `exists: false`, not an error. Symlinks are followed.',
    input: StatFileInput,
    output: StatFileOutput,
    hints: { readOnly: true, idempotent: true },
    http: { method: 'POST', path: 'files/stat' },
    handler: async (ctx, input): Promise<StatFileOutput> => {
      const { shell, paths } = filesToolkit(ctx, limits);
      const target = await paths.resolve(input.path);
      const out = await shell.script(STAT_SCRIPT, [target.real], { builtin: 'stat' });
      if (out.exit.exitCode === MISSING) return { path: target.path, exists: false };
      if (out.exit.exitCode !== 0) throw commandError(out, `Cannot inspect '${target.path}'`);
      const [type = '', size = '0', mode = '0', mtime = '0'] = out.stdout.toString('utf8').split('/');
      return {
        path: target.path,
        exists: true,
        type: fileType(type),
        size: Number(size),
        mode: mode.padStart(4, '0'),
        mtime: epochToIso(mtime),
      };
    },
  });
}
