import { sandboxOperation } from '@sandboxed/plugin-sdk';
import type { Limits } from '@sandboxed/plugin-sdk';
import { ReadFileInput, ReadFileOutput } from './file-content.dto.js';
import { filesToolkit } from './files.toolkit.js';
import { readSandboxFile } from './sandbox-file.reader.js';

export function readFileOperation(limits: Limits) {
  return sandboxOperation({
    id: 'files.read',
    summary: 'Read a file',
    description:
      "Returns a file's content as UTF-8 text or base64. Files over the read limit are refused (413); fetch those as raw bytes with GET files/content.",
    input: ReadFileInput,
    output: ReadFileOutput,
    hints: { readOnly: true, idempotent: true },
    http: { method: 'POST', path: 'files/read' },
    handler: async (ctx, input): Promise<ReadFileOutput> => {
      const { shell, paths } = filesToolkit(ctx, limits);
      const file = await paths.resolve(input.path);
      const data = await readSandboxFile(shell, file, {
        maxBytes: limits.files.maxReadBytes,
        hint: `download it as raw bytes with GET /v1/sandboxes/${ctx.sandbox.id}/files/content?path=${encodeURIComponent(file.path)}`,
      });
      const encoding = input.encoding ?? 'utf8';
      return { path: file.path, content: data.toString(encoding), encoding, size: data.length };
    },
  });
}
