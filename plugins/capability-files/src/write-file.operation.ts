import { InvalidArgumentError, LimitExceededError, sandboxOperation } from '@sandboxed/plugin-sdk';
import type { Limits } from '@sandboxed/plugin-sdk';
import { WriteFileInput, WriteFileOutput } from './file-content.dto.js';
import type { ContentEncoding } from './file-content.dto.js';
import { normalizeFileMode } from './file-mode.js';
import { filesToolkit } from './files.toolkit.js';

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

function decodeContent(content: string, encoding: ContentEncoding): Buffer {
  if (encoding === 'utf8') return Buffer.from(content, 'utf8');
  const compact = content.replace(/\s+/g, '');
  if (!BASE64.test(compact)) throw new InvalidArgumentError('content is not valid base64');
  return Buffer.from(compact, 'base64');
}

export function writeFileOperation(limits: Limits) {
  return sandboxOperation({
    id: 'files.write',
    summary: 'Write a file',
    description:
      'Creates or replaces a file atomically (a temp file renamed into place), creating parent directories. An existing file keeps its mode unless `mode` is given. For large or binary payloads prefer PUT files/content.',
    input: WriteFileInput,
    output: WriteFileOutput,
    hints: { destructive: true, idempotent: true },
    http: { method: 'POST', path: 'files/write' },
    handler: async (ctx, input): Promise<WriteFileOutput> => {
      const data = decodeContent(input.content, input.encoding ?? 'utf8');
      const max = limits.files.maxWriteBytes;
      if (data.length > max) {
        throw new LimitExceededError(`Content is ${data.length} bytes, over the write limit of ${max} bytes`, {
          size: data.length,
          limit: max,
        });
      }
      const { paths, writer } = filesToolkit(ctx, limits);
      const file = await paths.resolve(input.path);
      const mode = input.mode === undefined ? undefined : normalizeFileMode(input.mode);
      const size = await writer.write(file, data, { maxBytes: max, mode });
      return { path: file.path, size };
    },
  });
}
