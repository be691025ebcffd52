import { IsInt, IsOptional, IsUrl, Max, Min } from 'class-validator';

/** `capability-ports` options from config. */
export class PortsOptionsDto {
  /** Base URL the gateway is reached at (e.g. https://sandboxes.example.com); makes `url` absolute. */
  @IsOptional()
  @IsUrl({ require_tld: false, protocols: ['http', 'https'], require_protocol: true })
  publicUrl?: string;

  /** How long this gateway trusts "port N is exposed" before asking the sandbox again (default 2000 ms). */
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(60000)
  exposureCacheMs?: number;
}

export interface PortsOptions {
  publicUrl: string;
  exposureCacheMs: number;
}

export function resolvePortsOptions(dto: PortsOptionsDto = {}): PortsOptions {
  return { publicUrl: (dto.publicUrl ?? '').replace(/\/+$/, ''), exposureCacheMs: dto.exposureCacheMs ?? 2000 };
}
