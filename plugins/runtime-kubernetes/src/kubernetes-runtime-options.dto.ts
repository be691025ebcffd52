import { IsIn, IsInt, IsNotEmpty, IsNumber, IsOptional, IsString, Matches, Max, Min, Validate } from 'class-validator';
import { IMAGE_TEMPLATES } from '@sandboxed/plugin-sdk';
import type { KubernetesRuntimeOptions, KubernetesTemplate } from './kubernetes-runtime.options.js';
import {
  DNS_LABEL,
  KubernetesTemplateMapConstraint,
  PULL_POLICIES,
  type KubernetesTemplateDto,
} from './kubernetes-template.dto.js';

/** registry/path:tag or @digest: no spaces, no shell or YAML syntax. */
const IMAGE_REFERENCE = /^[A-Za-z0-9][A-Za-z0-9._\-/:@]{0,510}$/;

/** The `runtime-kubernetes` plugin options from config; every field has a default. */
export class KubernetesRuntimeOptionsDto {
  /** `auto` (default): KUBECONFIG, else in-cluster, else ~/.kube/config; `in-cluster`; or a kubeconfig path. */
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  kubeconfig?: string;

  /** Kubeconfig context; default: its current-context. */
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  context?: string;

  /** Where sandbox pods live; default `sandboxed`. */
  @IsOptional()
  @Matches(DNS_LABEL, { message: 'namespace must be a DNS label like "sandboxed"' })
  namespace?: string;

  /** Template name → { image, egress, runtimeClassName, readOnlyRootFilesystem, imagePullPolicy, language, env }. */
  @IsOptional()
  @Validate(KubernetesTemplateMapConstraint)
  templates?: Record<string, KubernetesTemplateDto>;

  /** RuntimeClass for every template that sets none (gVisor: `gvisor`, Kata: `kata`). */
  @IsOptional()
  @Matches(DNS_LABEL, { message: 'runtimeClassName must be a DNS label like "gvisor"' })
  runtimeClassName?: string;

  /** Pull policy for templates that set none; default IfNotPresent. */
  @IsOptional()
  @IsIn(PULL_POLICIES)
  imagePullPolicy?: KubernetesTemplate['imagePullPolicy'];

  @IsOptional()
  @IsInt()
  @Min(1000)
  @Max(900_000)
  readyTimeoutMs?: number;

  @IsOptional()
  @IsInt()
  @Min(100)
  apiTimeoutMs?: number;

  @IsOptional()
  @IsIn(['manage', 'external'])
  networkPolicy?: 'manage' | 'external';

  @IsOptional()
  @IsNumber()
  @Min(0.01)
  defaultCpu?: number;

  @IsOptional()
  @IsInt()
  @Min(16)
  defaultMemoryMb?: number;

  @IsOptional()
  @IsInt()
  @Min(16)
  defaultDiskMb?: number;

  /** The images' non-root sandbox user; default 1000 (scripts/build-images.sh). */
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(2_147_483_647)
  sandboxUid?: number;

  /**
   * An image with only the static sandbox agent at /sandbox-agent (`sandboxed/agent:<hash>`, from
   * scripts/build-images.sh agent), pulled with `imagePullPolicy`. Set: every pod installs the
   * agent from an init container, so it runs in images without tar. Default: none.
   */
  @IsOptional()
  @Matches(IMAGE_REFERENCE, {
    message: 'agentImage must be an image reference like "registry.example.com/sandboxed/agent:<hash>"',
  })
  agentImage?: string;
}

/** Applies the defaults to validated options. */
export function resolveKubernetesRuntimeOptions(
  dto: Partial<KubernetesRuntimeOptionsDto> = {},
): KubernetesRuntimeOptions {
  const imagePullPolicy = dto.imagePullPolicy ?? 'IfNotPresent';
  const templates: Record<string, KubernetesTemplate> = {};
  for (const [name, t] of Object.entries({ ...IMAGE_TEMPLATES, ...(dto.templates ?? {}) })) {
    const custom = t as Partial<KubernetesTemplateDto>;
    templates[name] = {
      image: t.image,
      egress: custom.egress === true,
      readOnlyRootFilesystem: custom.readOnlyRootFilesystem !== false,
      imagePullPolicy: custom.imagePullPolicy ?? imagePullPolicy,
      env: { ...(custom.env ?? {}) },
      ...(custom.runtimeClassName ? { runtimeClassName: custom.runtimeClassName } : {}),
      ...(t.language ? { language: t.language } : {}),
    };
  }
  return {
    kubeconfig: dto.kubeconfig ?? 'auto',
    ...(dto.context ? { context: dto.context } : {}),
    namespace: dto.namespace ?? 'sandboxed',
    templates,
    ...(dto.runtimeClassName ? { runtimeClassName: dto.runtimeClassName } : {}),
    readyTimeoutMs: dto.readyTimeoutMs ?? 60_000,
    apiTimeoutMs: dto.apiTimeoutMs ?? 15_000,
    networkPolicy: dto.networkPolicy ?? 'manage',
    defaultCpu: dto.defaultCpu ?? 1,
    defaultMemoryMb: dto.defaultMemoryMb ?? 512,
    defaultDiskMb: dto.defaultDiskMb ?? 1024,
    sandboxUid: dto.sandboxUid ?? 1000,
    ...(dto.agentImage ? { agentImage: { image: dto.agentImage, imagePullPolicy } } : {}),
  };
}
