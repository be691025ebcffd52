import { homedir } from 'node:os';
import { join } from 'node:path';
import { IsBoolean, IsIn, IsInt, IsNotEmpty, IsOptional, IsString, Min } from 'class-validator';
import type {
  LocalIsolation,
  LocalNetwork,
  LocalResourceLimits,
  LocalRuntimeOptions,
} from './local-runtime.options.js';

/**
 * As root `/var/lib/sandboxed/local` (the sandbox uid must be able to traverse every parent, and
 * root's home is private); otherwise `$XDG_STATE_HOME/sandboxed/local`, else `~/.local/state/sandboxed/local`.
 */
export function defaultLocalDataDir(): string {
  if (process.getuid?.() === 0) return '/var/lib/sandboxed/local';
  const state = process.env.XDG_STATE_HOME || join(homedir(), '.local', 'state');
  return join(state, 'sandboxed', 'local');
}

/** The `runtime-local` plugin options from config; every field has a default. */
export class LocalRuntimeOptionsDto {
  /** Where sandboxes live on disk. */
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  dataDir?: string;

  /** `bwrap` (default) or `none` (UNSAFE: commands run directly on the host). */
  @IsOptional()
  @IsIn(['bwrap', 'none'])
  isolation?: LocalIsolation;

  /** `none` (default, loopback only) or `host`. */
  @IsOptional()
  @IsIn(['none', 'host'])
  network?: LocalNetwork;

  /** Path to bwrap; default: found on PATH. */
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  bwrapPath?: string;

  /** Host uid sandboxes run as when the gateway is root; default 65534 (nobody). */
  @IsOptional()
  @IsInt()
  @Min(1)
  sandboxUid?: number;

  /** `enforce` (default): cgroup limits or no sandbox; `best-effort`: rlimits where cgroups are unavailable. */
  @IsOptional()
  @IsIn(['enforce', 'best-effort'])
  resourceLimits?: LocalResourceLimits;

  /** Install missing bubblewrap and gcc with apt-get (Debian/Ubuntu, as root) at boot; default true. */
  @IsOptional()
  @IsBoolean()
  installPackages?: boolean;
}

/** Applies the defaults to validated options. */
export function resolveLocalRuntimeOptions(dto: Partial<LocalRuntimeOptionsDto> = {}): LocalRuntimeOptions {
  return {
    dataDir: dto.dataDir ?? defaultLocalDataDir(),
    isolation: dto.isolation ?? 'bwrap',
    network: dto.network ?? 'none',
    ...(dto.bwrapPath ? { bwrapPath: dto.bwrapPath } : {}),
    ...(dto.sandboxUid !== undefined ? { sandboxUid: dto.sandboxUid } : {}),
    ...(dto.resourceLimits ? { resourceLimits: dto.resourceLimits } : {}),
    ...(dto.installPackages !== undefined ? { installPackages: dto.installPackages } : {}),
  };
}
