import { IsIn, IsInt, IsNotEmpty, IsNumber, IsOptional, IsString, Max, Min, Validate } from 'class-validator';
import { DEFAULT_TEMPLATES } from './default-templates.js';
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
}

/** Applies the defaults to validated options. */
export function resolveDockerRuntimeOptions(dto: Partial<DockerRuntimeOptionsDto> = {}): DockerRuntimeOptions {
  const defaultNetwork = dto.defaultNetwork ?? 'none';
  const templates: Record<string, DockerTemplate> = {};
  for (const [name, t] of Object.entries({ ...DEFAULT_TEMPLATES, ...(dto.templates ?? {}) })) {
    const custom = t as Partial<DockerTemplateDto>;
    templates[name] = {
      image: t.image,
      network: custom.network ?? defaultNetwork,
      env: { ...(custom.env ?? {}) },
      ...(t.language ? { language: t.language } : {}),
      ...(t.pidsLimit ? { pidsLimit: t.pidsLimit } : {}),
    };
  }
  return {
    ...(dto.socketPath ? { socketPath: dto.socketPath } : {}),
    templates,
    pidsLimit: dto.pidsLimit ?? 256,
    defaultNetwork,
    defaultMemoryMb: dto.defaultMemoryMb ?? 512,
    defaultCpu: dto.defaultCpu ?? 1,
    apiTimeoutMs: dto.apiTimeoutMs ?? 30_000,
  };
}
