import { Type } from 'class-transformer';
import { IsArray, IsBoolean, IsIn, IsInt, IsOptional, IsString, Max, Min, ValidateNested } from 'class-validator';
import { JSONSchema } from 'class-validator-jsonschema';
import { ProcessRef } from './process.dto.js';

export const MAX_LOG_PAGE = 10000;

export class LogCursorInput extends ProcessRef {
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @JSONSchema({
    description: 'Line number to start at: 0 for the beginning, or a `cursor` from an earlier read',
    example: 0,
  })
  cursor?: number;
}

export class ReadLogsInput extends LogCursorInput {
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_LOG_PAGE)
  @JSONSchema({ description: `Most lines to return (default 1000, at most ${MAX_LOG_PAGE})`, example: 1000 })
  limit?: number;
}

export class LogLine {
  @IsInt() @JSONSchema({ description: 'Line number (0-based, never reused)' }) line: number;
  @IsIn(['stdout', 'stderr']) @JSONSchema({ description: 'Which stream printed it' }) stream: 'stdout' | 'stderr';
  @IsString() @JSONSchema({ description: 'The text, without its newline' }) text: string;
}

export class LogPage {
  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => LogLine)
  @JSONSchema({ description: 'Lines from `cursor` on' })
  lines: LogLine[];

  @IsInt() @JSONSchema({ description: 'Pass this as `cursor` to continue exactly after the last line' }) cursor: number;

  @IsInt()
  @JSONSchema({ description: 'Lines between the requested cursor and the oldest kept line that were trimmed away' })
  dropped: number;

  @IsBoolean() @JSONSchema({ description: 'True when the process has ended and every line was read' }) done: boolean;
}
