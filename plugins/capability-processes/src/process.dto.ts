import { Type } from 'class-transformer';
import {
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Matches,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { JSONSchema } from 'class-validator-jsonschema';
import { CommandInput } from '@sandboxed/plugin-sdk';

export const PROCESS_STATUSES = ['running', 'exited', 'killed'] as const;
export type ProcessStatus = (typeof PROCESS_STATUSES)[number];

export const PROCESS_ID = /^[a-f0-9]{16}$/;

/** A command (from the SDK's CommandInput), started in the background. */
export class StartProcessInput extends CommandInput {
  @IsOptional()
  @IsString()
  @MaxLength(128)
  @JSONSchema({ description: 'A label for humans, e.g. "dev-server"', example: 'web' })
  name?: string;

  @IsOptional()
  @IsInt()
  @Min(1)
  @JSONSchema({
    description:
      'Kill its whole process group after this many ms (at most limits.exec.maxTimeoutMs); it then ends ' +
      '`killed` by SIGKILL with `timedOut: true`. Default: it runs until it ends or is killed.',
    example: 600000,
  })
  timeoutMs?: number;
}

export class ProcessRef {
  @Matches(PROCESS_ID, { message: 'processId must be the 16-character id process.start returned' })
  @JSONSchema({ description: 'Process id from process.start', example: '4f9c2a7d1e0b3c58' })
  processId: string;
}

export const KILL_SIGNALS = ['SIGTERM', 'SIGKILL', 'SIGINT', 'SIGHUP', 'SIGQUIT', 'SIGUSR1', 'SIGUSR2'] as const;

export class KillProcessInput extends ProcessRef {
  @IsOptional()
  @IsIn(KILL_SIGNALS)
  @JSONSchema({ description: 'Signal sent to the whole process group (default SIGKILL)', example: 'SIGTERM' })
  signal?: (typeof KILL_SIGNALS)[number];
}

export class ProcessStdinInput extends ProcessRef {
  @IsOptional()
  @IsString()
  @MaxLength(1048576)
  @JSONSchema({ description: 'Text written to the process’s standard input', example: 'print(1)\n' })
  data?: string;

  @IsOptional()
  @IsBoolean()
  @JSONSchema({ description: 'Close standard input after writing `data` (the process then reads end-of-file)' })
  eof?: boolean;
}

export class ProcessInfo {
  @IsString() @JSONSchema({ description: 'Process id' }) id: string;

  @IsOptional()
  @IsString()
  @JSONSchema({ description: 'The name given at start', type: ['string', 'null'] })
  name: string | null;

  @IsOptional()
  @IsString()
  @JSONSchema({ description: 'The shell command, when started with `command`', type: ['string', 'null'] })
  command: string | null;

  @IsArray() @IsString({ each: true }) @JSONSchema({ description: 'What runs' }) argv: string[];

  @IsString() @JSONSchema({ description: 'Absolute working directory' }) cwd: string;

  @IsOptional()
  @IsInt()
  @JSONSchema({ description: 'Pid inside the sandbox (also its process group id)', type: ['integer', 'null'] })
  pid: number | null;

  @IsIn(PROCESS_STATUSES)
  @JSONSchema({ description: '`running`, `exited`, or `killed` (ended by a signal from process.kill)' })
  status: ProcessStatus;

  @IsOptional()
  @IsInt()
  @JSONSchema({
    description: 'Exit status as a shell reports it (128+N after signal N); null while running',
    type: ['integer', 'null'],
  })
  exitCode: number | null;

  @IsOptional()
  @IsString()
  @JSONSchema({
    description: 'The signal that ended it (from an exit status above 128), else null',
    type: ['string', 'null'],
  })
  signal: string | null;

  @IsBoolean() @JSONSchema({ description: 'True when its `timeoutMs` ran out and it was killed' }) timedOut: boolean;

  @IsOptional()
  @IsString()
  @JSONSchema({ description: 'Start time (ISO 8601)', type: ['string', 'null'] })
  startedAt: string | null;

  @IsOptional()
  @IsString()
  @JSONSchema({ description: 'End time (ISO 8601); null while running', type: ['string', 'null'] })
  endedAt: string | null;

  @IsInt()
  @Min(0)
  @JSONSchema({ description: 'Output lines logged so far; the cursor after the last line' })
  lines: number;

  @IsInt() @Min(0) @JSONSchema({ description: 'Oldest line still kept (older ones were trimmed)' }) firstLine: number;
}

export class ListProcessesInput {
  @IsOptional()
  @IsIn(PROCESS_STATUSES)
  @JSONSchema({ description: 'Only processes with this status' })
  status?: ProcessStatus;
}

export class ProcessList {
  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => ProcessInfo)
  @JSONSchema({ description: 'Processes in this sandbox, oldest first (exited ones are kept until pruned)' })
  processes: ProcessInfo[];
}
