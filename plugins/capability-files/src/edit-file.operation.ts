import { ConflictError, InvalidArgumentError, LimitExceededError, sandboxOperation } from '@sandboxed/plugin-sdk';
import type { Limits } from '@sandboxed/plugin-sdk';
import { EditFileInput, EditFileOutput } from './file-content.dto.js';
import { filesToolkit } from './files.toolkit.js';
import { readSandboxFile } from './sandbox-file.reader.js';

export function editFileOperation(limits: Limits) {
  return sandboxOperation({
    id: 'files.edit',
    summary: 'Replace text in a file',
    description:
      'Replaces `oldText` with `newText` in a UTF-8 text file and writes it back atomically, keeping its mode. `oldText` must occur exactly once (409 naming the count otherwise) unless `replaceAll` is set; no occurrence at all is a 409 too.',
    input: EditFileInput,
    output: EditFileOutput,
    hints: { destructive: true },
    http: { method: 'POST', path: 'files/edit' },
    handler: async (ctx, input): Promise<EditFileOutput> => {
      const { shell, paths, writer } = filesToolkit(ctx, limits);
      const file = await paths.resolve(input.path);
      const original = await readSandboxFile(shell, file, { maxBytes: limits.files.maxReadBytes });
      const text = original.toString('utf8');
      if (!Buffer.from(text, 'utf8').equals(original)) {
        throw new InvalidArgumentError(`File '${file.path}' is not valid UTF-8 text; use files.write to replace it`);
      }
      const parts = text.split(input.oldText);
      const occurrences = parts.length - 1;
      if (occurrences === 0)
        throw new ConflictError(`oldText not found in '${file.path}'`, { path: file.path, occurrences });
      if (occurrences > 1 && !input.replaceAll) {
        throw new ConflictError(
          `oldText occurs ${occurrences} times in '${file.path}'; make it unique or set replaceAll`,
          { path: file.path, occurrences },
        );
      }
      const updated = Buffer.from(parts.join(input.newText), 'utf8');
      if (updated.length > limits.files.maxWriteBytes) {
        throw new LimitExceededError(
          `The edited file would be ${updated.length} bytes, over the write limit of ${limits.files.maxWriteBytes} bytes`,
          { size: updated.length, limit: limits.files.maxWriteBytes },
        );
      }
      await writer.write(file, updated, { maxBytes: limits.files.maxWriteBytes });
      return { path: file.path, replacements: occurrences };
    },
  });
}
