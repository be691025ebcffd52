import { Type } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';
import { JSONSchema } from 'class-validator-jsonschema';

export class OpenTerminalInput {
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1000)
  @JSONSchema({ description: 'Columns (default 80)', example: 120 })
  cols?: number;

  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1000)
  @JSONSchema({ description: 'Rows (default 24)', example: 40 })
  rows?: number;
}
