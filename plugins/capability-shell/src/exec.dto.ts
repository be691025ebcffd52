import { IsBoolean, IsInt, IsOptional, IsString, MaxLength, Min } from 'class-validator';
import { JSONSchema } from 'class-validator-jsonschema';
import { CommandInput } from '@sandboxed/plugin-sdk';

/** A command (from the SDK's CommandInput) plus what a one-shot exec adds. */
export class ExecInput extends CommandInput {
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
