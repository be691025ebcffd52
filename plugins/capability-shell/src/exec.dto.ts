import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsInt,
  IsObject,
  IsOptional,
  IsString,
  MaxLength,
  Min,
  MinLength,
} from 'class-validator';
import { JSONSchema } from 'class-validator-jsonschema';

export class ExecInput {
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(131072)
  @JSONSchema({
    description: 'Shell command, run by `/bin/sh -c`. Give either `command` or `argv`.',
    example: 'echo hi',
  })
  command?: string;

  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(4096)
  @IsString({ each: true })
  @JSONSchema({ description: 'Program and arguments, run without a shell', example: ['ls', '-la'] })
  argv?: string[];

  @IsOptional()
  @IsString()
  @MaxLength(4096)
  @JSONSchema({
    description: 'Working directory; relative to the sandbox workdir (default: the workdir)',
    example: '.',
  })
  cwd?: string;

  @IsOptional()
  @IsObject()
  @JSONSchema({ description: 'Extra environment variables', additionalProperties: { type: 'string' } })
  env?: Record<string, string>;

  @IsOptional()
  @IsString()
  @MaxLength(10485760)
  @JSONSchema({ description: 'Text written to the command’s standard input, which is then closed' })
  stdin?: string;

  @IsOptional()
  @IsInt()
  @Min(1)
  @JSONSchema({
    description: 'Kill the command and its children after this many ms (default limits.exec.timeoutMs)',
    example: 30000,
  })
  timeoutMs?: number;
}

export class ExecOutput {
  @IsString() @JSONSchema({ description: 'Standard output (UTF-8), cut at limits.exec.maxOutputBytes' }) stdout: string;
  @IsString() @JSONSchema({ description: 'Standard error (UTF-8), cut at limits.exec.maxOutputBytes' }) stderr: string;
  @IsOptional()
  @IsInt()
  @JSONSchema({ description: 'Exit code; null when killed by a signal', type: ['integer', 'null'] })
  exitCode: number | null;
  @IsBoolean() @JSONSchema({ description: 'True when the timeout killed it' }) timedOut: boolean;
  @IsBoolean() @JSONSchema({ description: 'True when output was cut at the cap' }) truncated: boolean;
  @IsInt() @JSONSchema({ description: 'Wall time in milliseconds' }) durationMs: number;
}
