import 'reflect-metadata';
import { Type } from 'class-transformer';
import {
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsNumber,
  IsObject,
  IsOptional,
  IsString,
  Max,
  Min,
  ValidateNested,
} from 'class-validator';

export class ServerConfig {
  @IsString() host: string;
  @IsInt() @Min(0) @Max(65535) port: number;
  @IsInt() @Min(1024) bodyLimitBytes: number;
  /** Trust X-Forwarded-* headers (behind a proxy). */
  @IsBoolean() trustProxy: boolean;
  /** Browser origins allowed besides loopback and same-origin ones (`*`: any but `null`). */
  @IsArray() @IsString({ each: true }) allowedOrigins: string[];
  /**
   * The gateway's public origin (`https://sandboxes.example.com`, no path): names resources in OAuth discovery.
   * Unset: taken from each request's Host (and X-Forwarded-Proto/-Host with trustProxy).
   */
  @IsOptional() @IsString() publicUrl?: string;
  /** Host header values (with or without port) answered besides loopback names (DNS rebinding guard). */
  @IsArray() @IsString({ each: true }) allowedHosts: string[];
  /** Time to receive a whole request, headers and body (0: no limit); a trickled body is cut with 408. */
  @IsInt() @Min(0) requestTimeoutMs: number;
  /** Time to receive the request headers, from the moment the connection opens. */
  @IsInt() @Min(100) headersTimeoutMs: number;
  /** How long an idle keep-alive connection stays open after a response. */
  @IsInt() @Min(100) keepAliveTimeoutMs: number;
  /** A connection silent this long in both directions is closed (0: never); must outlast limits.exec.maxTimeoutMs. */
  @IsInt() @Min(0) connectionTimeoutMs: number;
}

export class RuntimeConfig {
  @IsString() default: string;
}

export class PluginEntry {
  /** A built-in plugin id (`runtime-local`) or a module specifier (npm package or path). */
  @IsString() use: string;
  @IsOptional() @IsObject() options?: Record<string, unknown>;
}

export class JwtConfig {
  @IsOptional() @IsString() secret?: string;
  /** PEM (SPKI) public key for RS256/ES256. */
  @IsOptional() @IsString() publicKey?: string;
  @IsOptional() @IsString() jwksUrl?: string;
  /** Checked on tokens when set; also turns on OAuth discovery (RFC 9728 metadata) as the authorization server. */
  @IsOptional() @IsString() issuer?: string;
  /** Authorization servers (issuer URLs) the RFC 9728 metadata names instead of `[issuer]`. */
  @IsOptional() @IsArray() @IsString({ each: true }) authorizationServers?: string[];
  @IsOptional() @IsString() audience?: string;
  @IsOptional()
  @IsArray()
  @IsIn(['HS256', 'HS384', 'HS512', 'RS256', 'RS384', 'RS512', 'PS256', 'ES256', 'ES384', 'EdDSA'], { each: true })
  algorithms?: string[];
  /** Allowed clock skew in seconds. */
  @IsInt() @Min(0) clockToleranceSeconds: number;
  /** When set, tokens must carry `iat`, and `exp - iat` may not exceed this. */
  @IsOptional() @IsInt() @Min(1) maxLifetimeSeconds?: number;
}

export class AuthConfig {
  @ValidateNested() @Type(() => JwtConfig) jwt: JwtConfig;
  /** API key → principal id. */
  @IsObject() apiKeys: Record<string, string>;
  /** `resource_name` in the RFC 9728 metadata (default `sandboxed`). */
  @IsOptional() @IsString() resourceName?: string;
}

export class ExecLimits {
  @IsInt() @Min(1) timeoutMs: number;
  @IsInt() @Min(1) maxTimeoutMs: number;
  @IsInt() @Min(1) maxOutputBytes: number;
}

export class FileLimits {
  @IsInt() @Min(1) maxReadBytes: number;
  @IsInt() @Min(1) maxWriteBytes: number;
  @IsInt() @Min(1) maxListEntries: number;
  /** Bounds each command a files operation runs in the sandbox (upload and download bodies: exec.maxTimeoutMs). */
  @IsInt() @Min(1) timeoutMs: number;
}

export class LimitsConfig {
  @ValidateNested() @Type(() => ExecLimits) exec: ExecLimits;
  @ValidateNested() @Type(() => FileLimits) files: FileLimits;
}

export class SandboxResourceCaps {
  @IsNumber() @Min(0.01) cpu: number;
  @IsInt() @Min(16) memoryMb: number;
  @IsInt() @Min(16) pids: number;
  @IsInt() @Min(16) diskMb: number;
}

/** A warm pool: `size` ready sandboxes of `template`, each recycled after `maxAgeSeconds` unclaimed. */
export class SandboxPoolConfig {
  @IsString() template: string;
  @IsInt() @Min(0) size: number;
  @IsOptional() @IsInt() @Min(1) maxAgeSeconds?: number;
}

export class SandboxConfig {
  @IsString() defaultTemplate: string;
  @IsInt() @Min(1) defaultTtlSeconds: number;
  @IsInt() @Min(1) maxTtlSeconds: number;
  @IsInt() @Min(1) maxPerOwner: number;
  @IsInt() @Min(1) reapIntervalSeconds: number;
  @ValidateNested() @Type(() => SandboxResourceCaps) defaultResources: SandboxResourceCaps;
  @ValidateNested() @Type(() => SandboxResourceCaps) maxResources: SandboxResourceCaps;
  /** Warm pools, at most one per template (docs/operators.md). */
  @IsArray() @ValidateNested({ each: true }) @Type(() => SandboxPoolConfig) pools: SandboxPoolConfig[];
}

export class LogConfig {
  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']) level: string;
}

export class AgentConfig {
  @IsBoolean() enabled: boolean;
  @IsInt() @Min(0) idleSeconds: number;
}

export class GatewayConfig {
  @ValidateNested() @Type(() => ServerConfig) server: ServerConfig;
  @ValidateNested() @Type(() => RuntimeConfig) runtime: RuntimeConfig;
  @IsArray() @ValidateNested({ each: true }) @Type(() => PluginEntry) plugins: PluginEntry[];
  @ValidateNested() @Type(() => AuthConfig) auth: AuthConfig;
  @ValidateNested() @Type(() => LimitsConfig) limits: LimitsConfig;
  @ValidateNested() @Type(() => SandboxConfig) sandbox: SandboxConfig;
  @ValidateNested() @Type(() => AgentConfig) agent: AgentConfig;
  @ValidateNested() @Type(() => LogConfig) log: LogConfig;
}
