import { Type } from 'class-transformer';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  MaxLength,
  Min,
  MinLength,
  ValidateNested,
} from 'class-validator';
import { JSONSchema } from 'class-validator-jsonschema';
import { LANGUAGE_NAMES } from './code-language.table.js';

const MAX_TEXT = 10_485_760;

export class RunCodeInput {
  @IsOptional()
  @IsString()
  @MaxLength(64)
  @JSONSchema({
    description:
      'Language of the code (default: the sandbox’s `language` label, else its template’s language). Unknown names get a 400 listing the supported ones.',
    enum: [...LANGUAGE_NAMES],
    example: 'python',
  })
  language?: string;

  @IsString()
  @MinLength(1)
  @MaxLength(MAX_TEXT)
  @JSONSchema({ description: 'The program text, written to a temporary file in the sandbox', example: 'print(6 * 7)' })
  code: string;

  @IsOptional()
  @IsInt()
  @Min(1)
  @JSONSchema({
    description: 'Kill the compiler or program and its children after this many ms (default limits.exec.timeoutMs)',
    example: 30000,
  })
  timeoutMs?: number;

  @IsOptional()
  @IsString()
  @MaxLength(MAX_TEXT)
  @JSONSchema({ description: 'Text written to the program’s standard input, which is then closed' })
  stdin?: string;

  @IsOptional()
  @IsBoolean()
  @JSONSchema({
    description:
      'Write standard error (compiler messages included) into stdout, interleaved in the order the program wrote them; stderr is then empty',
  })
  mergeStderr?: boolean;
}

export class ExecuteCodeInput {
  @IsString()
  @MaxLength(64)
  @JSONSchema({
    description: 'Language of the code; picks the sandbox template',
    enum: [...LANGUAGE_NAMES],
    example: 'python',
  })
  language: string;

  @IsString()
  @MinLength(1)
  @MaxLength(MAX_TEXT)
  @JSONSchema({ description: 'The program text', example: 'print("hello")' })
  code: string;

  @IsOptional()
  @IsInt()
  @Min(1)
  @JSONSchema({
    description: 'Kill the compiler or program after this many ms (default limits.exec.timeoutMs)',
    example: 30000,
  })
  timeoutMs?: number;

  @IsOptional()
  @IsString()
  @MaxLength(MAX_TEXT)
  @JSONSchema({ description: 'Text written to the program’s standard input, which is then closed' })
  stdin?: string;
}

export class CodeResultOutput {
  @IsString() @JSONSchema({ description: 'Standard output (UTF-8), cut at limits.exec.maxOutputBytes' }) stdout: string;
  @IsString()
  @JSONSchema({ description: 'Standard error (UTF-8), compiler messages included, cut at limits.exec.maxOutputBytes' })
  stderr: string;
  @IsOptional()
  @IsInt()
  @JSONSchema({
    description: 'Exit code of the compiler when it failed, else of the program; null when unknown',
    type: ['integer', 'null'],
  })
  exitCode: number | null;
  @IsBoolean() @JSONSchema({ description: 'True when the timeout killed it' }) timedOut: boolean;
  @IsBoolean() @JSONSchema({ description: 'True when output was cut at the cap' }) truncated: boolean;
  @IsInt() @JSONSchema({ description: 'Wall time in milliseconds, compilation included' }) durationMs: number;
  @IsString()
  @JSONSchema({ description: 'The language it ran as (canonical name)', example: 'python' })
  language: string;
}

export class ListLanguagesInput {}

export class CodeLanguageDto {
  @IsString() @JSONSchema({ description: 'Canonical name, as results report it', example: 'python' }) name: string;
  @IsString({ each: true })
  @JSONSchema({ description: 'Other names accepted for it', example: ['python3', 'py'] })
  aliases: string[];
  @IsString()
  @JSONSchema({
    description: 'Sandbox template that has its toolchain (code.execute creates this one)',
    example: 'python',
  })
  template: string;
}

export class LanguageListOutput {
  @ValidateNested({ each: true })
  @Type(() => CodeLanguageDto)
  @JSONSchema({ description: 'Every supported language' })
  languages: CodeLanguageDto[];
}

export class CodeProcessOutput {
  @IsString()
  @JSONSchema({
    description: 'Id of the background process: follow it with process.wait or process.logs',
    example: '3f2a9c1b7d4e8f60',
  })
  processId: string;
  @IsIn(['running', 'exited', 'killed'])
  @JSONSchema({ description: 'Its status when this call answered' })
  status: 'running' | 'exited' | 'killed';
  @IsOptional()
  @IsString()
  @JSONSchema({ description: 'When it started (ISO 8601); null when unknown', type: ['string', 'null'] })
  startedAt: string | null;
  @IsString()
  @JSONSchema({ description: 'The language it runs as (canonical name)', example: 'python' })
  language: string;
}
