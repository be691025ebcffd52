import {
  IsBoolean,
  IsIn,
  IsInt,
  IsNotEmpty,
  IsNumber,
  IsOptional,
  IsString,
  Max,
  Min,
  Validate,
} from 'class-validator';
import { DEFAULT_TEMPLATES, defaultPidsLimitOf } from './default-templates.js';
import type { DiskLimitOption } from './disk-limit.js';
import type { DockerNetwork, DockerRuntimeOptions, DockerTemplate } from './docker-runtime.options.js';
import { TemplateMapConstraint, type DockerTemplateDto } from './docker-template.dto.js';

/** The `runtime-docker` plugin options from config; every field has a default. */
export class DockerRuntimeOptionsDto {
  /** Engine socket path; default: DOCKER_HOST, else /var/run/docker.sock. */
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  socketPath?: string;

  /** Template name → { image, network, language, pidsLimit, env }; merged over the defaults. */
  @IsOptional()
  @Validate(TemplateMapConstraint)
  templates?: Record<string, DockerTemplateDto>;

  @IsOptional()
  @IsInt()
  @Min(16)
  @Max(100_000)
  pidsLimit?: number;

  @IsOptional()
  @IsIn(['none', 'bridge'])
  defaultNetwork?: DockerNetwork;

  @IsOptional()
  @IsInt()
  @Min(16)
  defaultMemoryMb?: number;

  @IsOptional()
  @IsNumber()
  @Min(0.01)
  defaultCpu?: number;

  @IsOptional()
  @IsInt()
  @Min(100)
  apiTimeoutMs?: number;

  /**
   * How resources.diskMb is enforced: `quota` (StorageOpt.size: overlay2 on xfs with pquota,
   * btrfs, zfs), `tmpfs` (size-limited tmpfs volumes, read-only image), `off` (unbounded), or
   * `auto` (default): quota where the engine has it, else tmpfs.
   */
  @IsOptional()
  @IsIn(['auto', 'quota', 'tmpfs', 'off'])
  diskLimit?: DiskLimitOption;

  @IsOptional()
  @IsInt()
  @Min(16)
  defaultDiskMb?: number;

  /**
   * UNSAFE. Bridged sandboxes have no egress policy yet: they reach link-local (cloud metadata)
   * addresses, the host's services and the networks around it. `bridge` is refused at boot
   * unless this says the operator accepts that.
   */
  @IsOptional()
  @IsBoolean()
  allowUnrestrictedBridge?: boolean;
}

const BRIDGE_RISK =
  'bridged sandboxes have no egress policy yet: they reach link-local addresses (169.254.0.0/16, fe80::/10, ' +
  "such as a cloud's metadata service), the host's own addresses and services, and the networks the host reaches";

/** Refuses `bridge` anywhere unless allowUnrestrictedBridge is set (issue 8, item 11). */
function checkBridge(dto: Partial<DockerRuntimeOptionsDto>): void {
  if (dto.allowUnrestrictedBridge === true) return;
  const keys: string[] = [];
  if (dto.defaultNetwork === 'bridge') keys.push('defaultNetwork: bridge');
  for (const [name, t] of Object.entries(dto.templates ?? {})) {
    if ((t as Partial<DockerTemplateDto>).network === 'bridge') keys.push(`templates.${name}.network: bridge`);
  }
  if (keys.length === 0) return;
  throw new Error(
    `${keys.join(', ')}: ${BRIDGE_RISK} (other sandboxes are not: they share a network without inter-container ` +
      'traffic). Use network none, or set allowUnrestrictedBridge: true to accept this (docs/docker.md, "Bridge networking").',
  );
}

/** Applies the defaults to validated options. */
export function resolveDockerRuntimeOptions(dto: Partial<DockerRuntimeOptionsDto> = {}): DockerRuntimeOptions {
  checkBridge(dto);
  const defaultNetwork = dto.defaultNetwork ?? 'none';
  const pidsLimit = dto.pidsLimit ?? 256;
  const templates: Record<string, DockerTemplate> = {};
  for (const [name, t] of Object.entries({ ...DEFAULT_TEMPLATES, ...(dto.templates ?? {}) })) {
    const custom = t as Partial<DockerTemplateDto>;
    const templatePids = dto.templates?.[name]?.pidsLimit ?? defaultPidsLimitOf(name, pidsLimit);
    templates[name] = {
      image: t.image,
      network: custom.network ?? defaultNetwork,
      env: { ...(custom.env ?? {}) },
      ...(t.language ? { language: t.language } : {}),
      ...(templatePids ? { pidsLimit: templatePids } : {}),
    };
  }
  return {
    ...(dto.socketPath ? { socketPath: dto.socketPath } : {}),
    templates,
    pidsLimit,
    defaultNetwork,
    defaultMemoryMb: dto.defaultMemoryMb ?? 512,
    defaultCpu: dto.defaultCpu ?? 1,
    apiTimeoutMs: dto.apiTimeoutMs ?? 30_000,
    diskLimit: dto.diskLimit ?? 'auto',
    defaultDiskMb: dto.defaultDiskMb ?? 1024,
    allowUnrestrictedBridge: dto.allowUnrestrictedBridge === true,
  };
}
