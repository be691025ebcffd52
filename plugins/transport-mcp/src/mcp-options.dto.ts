import {
  IsArray,
  IsInt,
  IsOptional,
  IsString,
  Matches,
  Max,
  Min,
  ValidateBy,
  type ValidationOptions,
} from 'class-validator';
import { BUILT_IN_PROFILES } from './built-in.profiles.js';

/** Which operations an MCP endpoint exposes: glob patterns (picomatch) on operation ids or tool names. */
export interface ToolProfile {
  include?: string[];
  exclude?: string[];
  /** List tools without their output schemas (results are unchanged), to keep tools/list small. */
  compact?: boolean;
}

export const DEFAULT_PROFILE = 'default';
export const PROFILE_NAME = /^[a-z0-9][a-z0-9_-]{0,62}$/i;

const isStringList = (v: unknown): boolean => Array.isArray(v) && v.every((s) => typeof s === 'string' && s.length > 0);

function profileProblem(name: string, value: unknown): string | undefined {
  if (!PROFILE_NAME.test(name)) return `"${name}" is not a valid profile name (letters, digits, _ and -)`;
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return `${name}: must be a map with include, exclude and/or compact`;
  for (const [key, entry] of Object.entries(value)) {
    if (key === 'compact') {
      if (typeof entry !== 'boolean') return `${name}.compact: must be true or false`;
    } else if (key !== 'include' && key !== 'exclude') {
      return `${name}.${key}: unknown key (use include, exclude, compact)`;
    } else if (!isStringList(entry)) return `${name}.${key}: must be a list of glob patterns`;
  }
  return undefined;
}

/** class-validator cannot walk a map of nested objects, so the profile map is checked as a whole. */
function IsProfileMap(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isProfileMap',
      validator: {
        validate: (value: unknown) =>
          typeof value === 'object' &&
          value !== null &&
          !Array.isArray(value) &&
          Object.entries(value).every(([n, p]) => !profileProblem(n, p)),
        defaultMessage: (args) => {
          const value = args?.value as unknown;
          if (typeof value !== 'object' || value === null || Array.isArray(value))
            return 'profiles must be a map of profile name to { include, exclude, compact }';
          const problem = Object.entries(value)
            .map(([n, p]) => profileProblem(n, p))
            .find(Boolean);
          return `profiles.${problem ?? 'invalid'}`;
        },
      },
    },
    options,
  );
}

/**
 * Options of the `transport-mcp` plugin (`plugins: [{ use: transport-mcp, options: {...} }]`).
 * The issue's `mcp.profiles.<name>.include/exclude` lives here as `options.profiles`.
 */
export class McpTransportOptions {
  /**
   * Named tool profiles, served at `/mcp/<name>` and `/sse/<name>` (and `/mcp/<name>/<sandbox-id>`, bound to one
   * sandbox); `default` at `/mcp`. They add to (and may replace) the built-in `default`, `full` and `agent`.
   */
  @IsOptional() @IsProfileMap() profiles?: Record<string, ToolProfile>;

  /** Browser origins allowed besides same-origin and loopback ones, e.g. `https://app.example.com`. */
  @IsOptional() @IsArray() @IsString({ each: true }) allowedOrigins?: string[];

  /** Host header values (with or without port) allowed besides loopback names; see docs/mcp.md. */
  @IsOptional() @IsArray() @IsString({ each: true }) allowedHosts?: string[];

  /** The principal the stdio server acts as (it has every scope). */
  @IsOptional() @IsString() @Matches(/^[A-Za-z0-9][A-Za-z0-9@._:-]{0,127}$/) stdioPrincipal?: string;

  /** The tool profile stdio serves (default: `default`); `--mcp-profile` overrides it. */
  @IsOptional() @IsString() @Matches(PROFILE_NAME) stdioProfile?: string;

  /** Concurrent HTTP sessions (streamable + SSE) before new ones get 503. */
  @IsOptional() @IsInt() @Min(1) @Max(100000) maxSessions?: number;

  /** A session with no request for this long is closed. */
  @IsOptional() @IsInt() @Min(10) sessionIdleSeconds?: number;

  /**
   * Longest a `shell_exec` or `bash` call runs before it answers with a handle (process id and log cursor)
   * to continue with `process_wait`; clients give up on a call after about 60 s.
   */
  @IsOptional() @IsInt() @Min(1000) @Max(3600000) toolTimeoutMs?: number;

  /**
   * The timeout of a `shell_exec`, `code_run` or `bash` command that names none (default: limits.exec.maxTimeoutMs).
   * A call no longer holds the client for it, so it need not be the REST default; at most limits.exec.maxTimeoutMs.
   */
  @IsOptional() @IsInt() @Min(1000) commandTimeoutMs?: number;
}

/** The options with their defaults applied. */
export interface ResolvedMcpOptions {
  profiles: Record<string, ToolProfile>;
  allowedOrigins: string[];
  allowedHosts: string[];
  stdioPrincipal: string;
  stdioProfile: string;
  maxSessions: number;
  sessionIdleMs: number;
  toolTimeoutMs: number;
  commandTimeoutMs?: number;
}

export function resolveMcpOptions(o: Partial<McpTransportOptions> = {}): ResolvedMcpOptions {
  const profiles: Record<string, ToolProfile> = { ...BUILT_IN_PROFILES, ...(o.profiles ?? {}) };
  const stdioProfile = o.stdioProfile ?? DEFAULT_PROFILE;
  if (!profiles[stdioProfile]) throw new Error(`options.stdioProfile: no profile named "${stdioProfile}"`);
  return {
    profiles,
    allowedOrigins: o.allowedOrigins ?? [],
    allowedHosts: o.allowedHosts ?? [],
    stdioPrincipal: o.stdioPrincipal ?? 'local',
    stdioProfile,
    maxSessions: o.maxSessions ?? 1000,
    sessionIdleMs: (o.sessionIdleSeconds ?? 1800) * 1000,
    toolTimeoutMs: o.toolTimeoutMs ?? 50_000,
    ...(o.commandTimeoutMs === undefined ? {} : { commandTimeoutMs: o.commandTimeoutMs }),
  };
}
