import { IsInt, IsOptional, Max, Min } from 'class-validator';

/** `capability-processes` options from config. */
export class ProcessesOptionsDto {
  /** Background processes that may run at once in one sandbox (default 32). */
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(1024)
  maxRunning?: number;

  /** Ended processes kept (with their logs) per sandbox before the oldest are pruned (default 50). */
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(10000)
  keepExited?: number;
}

export interface ProcessesOptions {
  maxRunning: number;
  keepExited: number;
}

export function resolveProcessesOptions(dto: ProcessesOptionsDto = {}): ProcessesOptions {
  return { maxRunning: dto.maxRunning ?? 32, keepExited: dto.keepExited ?? 50 };
}
