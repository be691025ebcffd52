import { IsBoolean, IsIn, IsInt, IsNotEmpty, IsOptional, IsString, Min } from 'class-validator';
import { JSONSchema } from 'class-validator-jsonschema';
import { IsFileMode } from './file-mode.js';
import type { FileModeInput } from './file-mode.js';
import { PathField } from './path-field.decorator.js';

export const CONTENT_ENCODINGS = ['utf8', 'base64'] as const;
export type ContentEncoding = (typeof CONTENT_ENCODINGS)[number];

export class ReadFileInput {
  @PathField('File to read.')
  path: string;

  @IsOptional()
  @IsIn(CONTENT_ENCODINGS)
  @JSONSchema({
    description: "How to return the content: 'utf8' text (default) or 'base64' for binary files.",
    example: 'utf8',
  })
  encoding?: ContentEncoding;
}

export class ReadFileOutput {
  @IsString()
  @JSONSchema({ description: 'Absolute path of the file inside the sandbox.', example: '/workspace/src/index.ts' })
  path: string;

  @IsString()
  @JSONSchema({ description: 'The file content, in the requested encoding.', example: 'console.log(1);\n' })
  content: string;

  @IsIn(CONTENT_ENCODINGS)
  @JSONSchema({ description: 'Encoding of `content`.', example: 'utf8' })
  encoding: ContentEncoding;

  @IsInt()
  @Min(0)
  @JSONSchema({ description: 'File size in bytes.', example: 16 })
  size: number;
}

export class WriteFileInput {
  @PathField('File to write; parent directories are created.')
  path: string;

  @IsString()
  @JSONSchema({ description: 'The new content, in `encoding`.', example: 'hello\n' })
  content: string;

  @IsOptional()
  @IsIn(CONTENT_ENCODINGS)
  @JSONSchema({ description: "Encoding of `content`: 'utf8' (default) or 'base64' for binary data.", example: 'utf8' })
  encoding?: ContentEncoding;

  @IsOptional()
  @IsFileMode()
  // The function form replaces the generated schema: a custom validator would otherwise add a `$ref` to `Object`.
  @JSONSchema(() => ({
    description:
      "Permission bits: an octal string like '0644' or '755', or a number (0o644 = 420). Defaults to the existing file's mode, or the umask for a new file.",
    oneOf: [
      { type: 'string', pattern: '^0?[0-7]{3,4}$' },
      { type: 'integer', minimum: 0, maximum: 4095 },
    ],
    example: '0644',
  }))
  mode?: FileModeInput;
}

export class WriteFileOutput {
  @IsString()
  @JSONSchema({ description: 'Absolute path of the written file.', example: '/workspace/notes.txt' })
  path: string;

  @IsInt()
  @Min(0)
  @JSONSchema({ description: 'Bytes written.', example: 6 })
  size: number;
}

export class EditFileInput {
  @PathField('UTF-8 text file to edit.')
  path: string;

  @IsString()
  @IsNotEmpty()
  @JSONSchema({
    description: 'Exact text to find (not a regex). It must occur exactly once unless `replaceAll` is set.',
    example: 'const x = 1;',
  })
  oldText: string;

  @IsString()
  @JSONSchema({ description: 'Replacement text.', example: 'const x = 2;' })
  newText: string;

  @IsOptional()
  @IsBoolean()
  @JSONSchema({
    description: 'Replace every occurrence instead of requiring exactly one. Default false.',
    example: false,
  })
  replaceAll?: boolean;
}

export class EditFileOutput {
  @IsString()
  @JSONSchema({ description: 'Absolute path of the edited file.', example: '/workspace/src/index.ts' })
  path: string;

  @IsInt()
  @Min(1)
  @JSONSchema({ description: 'How many occurrences were replaced.', example: 1 })
  replacements: number;
}
