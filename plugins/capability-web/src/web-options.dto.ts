import { IsArray, IsInt, IsObject, IsOptional, IsString, MaxLength, Min } from 'class-validator';
import { EgressAllowlist } from './egress.allowlist.js';

export const DEFAULT_MAX_BYTES = 2 * 1024 * 1024;
export const DEFAULT_TIMEOUT_MS = 15_000;

/** `search`: the web.search provider. The URL is operator config and is not subject to the egress rules. */
export interface SearchOptions {
  provider: 'searxng';
  url: string;
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

  /** Checked by resolveWebOptions, which names the nested key that is wrong. */
  @IsOptional()
  @IsObject()
  search?: SearchOptions;
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

function resolveSearch(search: SearchOptions | undefined): WebSettings['search'] {
  if (!search) return undefined;
  const known = ['provider', 'url', 'timeoutMs'];
  const extra = Object.keys(search).find((k) => !known.includes(k));
  if (extra) throw new Error(`options.search.${extra}: unknown key (one of: ${known.join(', ')})`);
  if (search.provider !== 'searxng')
    throw new Error('options.search.provider: must be searxng (the one provider so far)');
  let url: URL | undefined;
  try {
    url = new URL(String(search.url));
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    throw new Error(
      'options.search.url: must be the http(s) base URL of the SearXNG instance, e.g. http://searxng:8080',
    );
  }
  const timeoutMs = search.timeoutMs ?? 10_000;
  if (!Number.isInteger(timeoutMs) || timeoutMs < 100 || timeoutMs > 120_000) {
    throw new Error('options.search.timeoutMs: must be an integer from 100 to 120000');
  }
  return { provider: 'searxng', url: url.href.replace(/\/+$/, ''), timeoutMs };
}

/** Checks what decorators cannot (the allowlist entries, the search provider); throws naming the key. */
export function resolveWebOptions(dto: Partial<WebOptionsDto> = {}): WebSettings {
  const maxBytesLimit = dto.maxBytesLimit ?? 10 * 1024 * 1024;
  const maxTimeoutMs = dto.maxTimeoutMs ?? 60_000;
  return new WebSettings(
    new EgressAllowlist(dto.allowPrivileged),
    maxBytesLimit,
    maxTimeoutMs,
    dto.userAgent ?? 'sandboxed-web-fetch/0.1 (+https://github.com/sandboxed)',
    resolveSearch(dto.search),
  );
}
