import { Type } from 'class-transformer';
import { IsInt, IsOptional, Max, Min, ValidateNested } from 'class-validator';
import { JSONSchema } from 'class-validator-jsonschema';
import { LogPage, ReadLogsInput } from './process-logs.dto.js';
import { ProcessInfo } from './process.dto.js';

export const MAX_WAIT_MS = 300_000;
export const DEFAULT_WAIT_MS = 30_000;

export class WaitProcessInput extends ReadLogsInput {
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(MAX_WAIT_MS)
  @JSONSchema({
    description: `Longest to wait for the process to end, in ms (default ${DEFAULT_WAIT_MS}, at most ${MAX_WAIT_MS}; 0: do not wait)`,
    example: DEFAULT_WAIT_MS,
  })
  timeoutMs?: number;
}

export class ProcessWaitResult extends LogPage {
  @ValidateNested()
  @Type(() => ProcessInfo)
  @JSONSchema({ description: 'The process as it is when the wait returns (`status` is `running` if it still runs)' })
  process: ProcessInfo;
}
