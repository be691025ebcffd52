import { IsInt, IsOptional, Max, Min } from 'class-validator';

/** The `capability-browser` plugin options; every field has a default. */
export class BrowserOptionsDto {
  /** The DevTools port inside each sandbox (loopback there; never published). Default 9222. */
  @IsOptional() @IsInt() @Min(1024) @Max(65535) devtoolsPort?: number;
  /** How long a cold start may take before the operation fails (503). Default 30 s. */
  @IsOptional() @IsInt() @Min(1000) @Max(300_000) launchTimeoutMs?: number;
  /** Navigation deadline when the caller gives none. Default 30 s. */
  @IsOptional() @IsInt() @Min(100) navigationTimeoutMs?: number;
  /** How long actions wait for their element when the caller gives no timeoutMs. Default 5 s. */
  @IsOptional() @IsInt() @Min(100) actionTimeoutMs?: number;
  /** The longest timeoutMs a caller may ask for. Default 120 s. */
  @IsOptional() @IsInt() @Min(1000) maxTimeoutMs?: number;
  @IsOptional() @IsInt() @Min(100) @Max(7680) viewportWidth?: number;
  @IsOptional() @IsInt() @Min(100) @Max(4320) viewportHeight?: number;
  /** Largest evaluate result, as JSON. Default 1 MiB. */
  @IsOptional() @IsInt() @Min(1024) maxEvaluateBytes?: number;
  /** Largest html/text/snapshot answer before it is cut (truncated: true). Default 2 MiB. */
  @IsOptional() @IsInt() @Min(1024) maxContentBytes?: number;
  /** Largest screenshot or PDF. Default 20 MiB. */
  @IsOptional() @IsInt() @Min(65536) maxImageBytes?: number;
  /** Highest screencast frame rate a caller may ask for. Default 10. */
  @IsOptional() @IsInt() @Min(1) @Max(30) maxScreencastFps?: number;
  /** Longest screencast. Default 10 min. */
  @IsOptional() @IsInt() @Min(1000) maxScreencastMs?: number;
}

export class BrowserSettings {
  constructor(
    readonly devtoolsPort: number,
    readonly launchTimeoutMs: number,
    readonly navigationTimeoutMs: number,
    readonly actionTimeoutMs: number,
    readonly maxTimeoutMs: number,
    readonly viewport: { width: number; height: number },
    readonly maxEvaluateBytes: number,
    readonly maxContentBytes: number,
    readonly maxImageBytes: number,
    readonly maxScreencastFps: number,
    readonly maxScreencastMs: number,
  ) {}
}

export function resolveBrowserOptions(dto: BrowserOptionsDto = {}): BrowserSettings {
  return new BrowserSettings(
    dto.devtoolsPort ?? 9222,
    dto.launchTimeoutMs ?? 30_000,
    dto.navigationTimeoutMs ?? 30_000,
    dto.actionTimeoutMs ?? 5_000,
    dto.maxTimeoutMs ?? 120_000,
    { width: dto.viewportWidth ?? 1280, height: dto.viewportHeight ?? 720 },
    dto.maxEvaluateBytes ?? 1024 * 1024,
    dto.maxContentBytes ?? 2 * 1024 * 1024,
    dto.maxImageBytes ?? 20 * 1024 * 1024,
    dto.maxScreencastFps ?? 10,
    dto.maxScreencastMs ?? 600_000,
  );
}
