import { InvalidArgumentError, sandboxOperation } from '@sandboxed/plugin-sdk';
import type { Limits } from '@sandboxed/plugin-sdk';
import { UploadFileInput, UploadFileOutput } from './file-transfer.dto.js';
import { filesToolkit } from './files.toolkit.js';

export function uploadFileOperation(limits: Limits) {
  return sandboxOperation({
    id: 'files.upload',
    summary: 'Upload a file as raw bytes',
    description:
      'Streams the raw request body (any content type) into a file, atomically: it lands only once complete. Parent directories are created; an existing file keeps its mode. REST only.',
    input: UploadFileInput,
    output: UploadFileOutput,
    hints: { destructive: true, idempotent: true },
    http: { method: 'PUT', path: 'files/content', body: 'octets' },
    handler: async (ctx, input): Promise<UploadFileOutput> => {
      if (!ctx.body) throw new InvalidArgumentError('A request body with the file content is required');
      const { paths, writer } = filesToolkit(ctx, limits);
      const file = await paths.resolve(input.path);
      const size = await writer.write(file, ctx.body, { maxBytes: limits.files.maxWriteBytes });
      return { path: file.path, size };
    },
  });
}
