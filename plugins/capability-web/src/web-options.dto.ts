import { Type } from 'class-transformer';
import {
  IsArray,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUrl,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { EgressAllowlist } from './egress.allowlist.js';

export const DEFAULT_MAX_BYTES = 2 * 1024 * 1024;
export const DEFAULT_TIMEOUT_MS = 15_000;

/** `search`: the web.search provider. The URL is operator config and is not subject to the egress rules. */
export class SearchOptionsDto {
  @IsIn(['searxng'])
  provider: 'searxng';

  @IsUrl({ require_tld: false, protocols: ['http', 'https'], require_protocol: true })
  url: string;

  @IsOptional()
  @IsInt()
  @Min(100)
  @Max(120_000)
  timeoutMs?: number;
}

/** The `capability-web` plugin options. */
export class WebOptionsDto {
  /** Destinations opened despite a non-public address: CIDRs, IPs or host names, each optionally `:port`. */
  @IsOptional()
  @IsArray()
  @IsString({ each: true })
  @MaxLength(300, { each: true })
  allowPrivileged?: string[];

  /** The largest `maxBytes` a caller may ask for (default 10 MiB). */
  @IsOptional()
  @IsInt()
  @Min(1024)
  maxBytesLimit?: number;

  /** The longest `timeoutMs` a caller may ask for (default 60 s). */
  @IsOptional()
  @IsInt()
  @Min(100)
  maxTimeoutMs?: number;

  @IsOptional()
  @IsString()
  @MaxLength(300)
  userAgent?: string;

  @IsOptional()
  @ValidateNested()
  @Type(() => SearchOptionsDto)
  search?: SearchOptionsDto;
}

/** The options resolved at boot. */
export class WebSettings {
  constructor(
    readonly allowlist: EgressAllowlist,
    readonly maxBytesLimit: number,
    readonly maxTimeoutMs: number,
    readonly userAgent: string,
    readonly search: { provider: 'searxng'; url: string; timeoutMs: number } | undefined,
  ) {}
}

/** Checks what decorators cannot (the allowlist entries); throws naming the key. */
export function resolveWebOptions(dto: Partial<WebOptionsDto> = {}): WebSettings {
  const maxBytesLimit = dto.maxBytesLimit ?? 10 * 1024 * 1024;
  const maxTimeoutMs = dto.maxTimeoutMs ?? 60_000;
  return new WebSettings(
    new EgressAllowlist(dto.allowPrivileged),
    maxBytesLimit,
    maxTimeoutMs,
    dto.userAgent ?? 'sandboxed-web-fetch/0.1 (+https://github.com/sandboxed)',
    dto.search
      ? { provider: dto.search.provider, url: dto.search.url.replace(/\/+$/, ''), timeoutMs: dto.search.timeoutMs ?? 10_000 }
      : undefined,
  );
}
