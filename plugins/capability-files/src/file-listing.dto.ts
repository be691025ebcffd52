import { Type } from 'class-transformer';
import {
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsISO8601,
  IsNotEmpty,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { JSONSchema } from 'class-validator-jsonschema';
import { PathField } from './path-field.decorator.js';

export const FILE_TYPES = ['file', 'directory', 'symlink', 'other'] as const;
export type FileType = (typeof FILE_TYPES)[number];

export class ListFilesInput {
  @PathField('Directory to list. Defaults to the workdir.', { optional: true, example: 'src' })
  path?: string;

  @IsOptional()
  @IsBoolean()
  @JSONSchema({
    description: 'List the whole tree below `path`, not just its direct entries. Default false.',
    example: false,
  })
  recursive?: boolean;
}

export class FileEntry {
  @IsString()
  @JSONSchema({ description: 'Base name of the entry.', example: 'index.ts' })
  name: string;

  @IsString()
  @JSONSchema({ description: 'Absolute path of the entry.', example: '/workspace/src/index.ts' })
  path: string;

  @IsIn(FILE_TYPES)
  @JSONSchema({ description: 'Entry type; symlinks are reported as such, not followed.', example: 'file' })
  type: FileType;

  @IsInt()
  @Min(0)
  @JSONSchema({ description: 'Size in bytes (for a symlink, the length of its target).', example: 120 })
  size: number;

  @IsISO8601()
  @JSONSchema({ description: 'Last modification time (ISO 8601).', example: '2026-11-02T10:15:00.000Z' })
  mtime: string;
}

export class ListFilesOutput {
  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => FileEntry)
  @JSONSchema({ description: 'Entries sorted by path.' })
  entries: FileEntry[];

  @IsBoolean()
  @JSONSchema({ description: 'True when the listing hit the entry limit and is incomplete.', example: false })
  truncated: boolean;
}

export class StatFileInput {
  @PathField('Path to inspect.')
  path: string;
}

export class StatFileOutput {
  @IsString()
  @JSONSchema({ description: 'Absolute path that was inspected.', example: '/workspace/src/index.ts' })
  path: string;

  @IsBoolean()
  @JSONSchema({ description: 'False when nothing exists at the path (not an error).', example: true })
  exists: boolean;

  @IsOptional()
  @IsIn(FILE_TYPES)
  @JSONSchema({ description: 'Type of what the path points to (a symlink is followed).', example: 'file' })
  type?: FileType;

  @IsOptional()
  @IsInt()
  @Min(0)
  @JSONSchema({ description: 'Size in bytes.', example: 120 })
  size?: number;

  @IsOptional()
  @IsString()
  @JSONSchema({ description: 'Permission bits as an octal string.', example: '0644' })
  mode?: string;

  @IsOptional()
  @IsISO8601()
  @JSONSchema({ description: 'Last modification time (ISO 8601).', example: '2026-11-02T10:15:00.000Z' })
  mtime?: string;
}

export class GlobFilesInput {
  @IsString()
  @IsNotEmpty()
  @MaxLength(1024)
  @Matches(/^(?!\/)(?!.*(^|\/)\.\.(\/|$))/, {
    message: "pattern must be relative to cwd and must not contain '..' segments",
  })
  @JSONSchema({
    description:
      'Glob relative to `cwd` (picomatch syntax: `*`, `**`, `?`, `[...]`, `{a,b}`). Matches files and symlinks, not directories. Dotfiles match only when `dot` is true or the pattern names them.',
    example: 'src/**/*.ts',
  })
  pattern: string;

  @PathField('Directory the pattern is relative to. Defaults to the workdir.', { optional: true, example: '.' })
  cwd?: string;

  @IsOptional()
  @IsBoolean()
  @JSONSchema({ description: 'Let wildcards match names starting with a dot. Default false.', example: false })
  dot?: boolean;
}

export class GlobFilesOutput {
  @IsString()
  @JSONSchema({ description: 'Absolute directory the matches are relative to.', example: '/workspace' })
  cwd: string;

  @IsArray()
  @IsString({ each: true })
  @JSONSchema({ description: 'Matching paths relative to `cwd`, sorted.', example: ['src/index.ts'] })
  matches: string[];

  @IsBoolean()
  @JSONSchema({
    description: 'True when the file scan hit the entry limit, so matches may be missing.',
    example: false,
  })
  truncated: boolean;
}

export const GREP_MAX_RESULTS = 10000;
export const GREP_DEFAULT_RESULTS = 100;

export class GrepFilesInput {
  @IsString()
  @IsNotEmpty()
  @MaxLength(4096)
  @JSONSchema({
    description: 'Regular expression (PCRE, close to JavaScript syntax) matched against each line.',
    example: 'function\\s+\\w+',
  })
  pattern: string;

  @PathField('File or directory to search (recursively). Defaults to the workdir.', { optional: true, example: 'src' })
  path?: string;

  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(1024)
  @JSONSchema({ description: 'Only search files whose base name matches this glob, e.g. `*.ts`.', example: '*.ts' })
  glob?: string;

  @IsOptional()
  @IsBoolean()
  @JSONSchema({ description: 'Case-insensitive matching. Default false.', example: false })
  ignoreCase?: boolean;

  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(GREP_MAX_RESULTS)
  @JSONSchema({ description: `Maximum matching lines to return (default ${GREP_DEFAULT_RESULTS}).`, example: 100 })
  maxResults?: number;
}

export class GrepFileMatch {
  @IsString()
  @JSONSchema({ description: 'Absolute path of the file.', example: '/workspace/src/index.ts' })
  path: string;

  @IsInt()
  @Min(1)
  @JSONSchema({ description: '1-based line number.', example: 12 })
  line: number;

  @IsString()
  @JSONSchema({ description: 'The matching line (cut to 1000 characters).', example: 'export function main() {' })
  text: string;
}

export class GrepFilesOutput {
  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => GrepFileMatch)
  @JSONSchema({ description: 'Matching lines. Binary files are skipped.' })
  matches: GrepFileMatch[];

  @IsBoolean()
  @JSONSchema({ description: 'True when there were more matches than `maxResults`.', example: false })
  truncated: boolean;
}
