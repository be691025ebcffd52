import { IsBoolean, IsIn, IsNotEmpty, IsObject, IsOptional, IsString, Matches } from 'class-validator';
import { templateMapConstraint } from '@sandboxed/plugin-sdk';
import type { ImagePullPolicy } from './kubernetes-runtime.options.js';

/** A DNS-1123 label, as Kubernetes wants for a RuntimeClass name. */
export const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
export const PULL_POLICIES: ImagePullPolicy[] = ['Always', 'IfNotPresent', 'Never'];

/** One entry of the `templates` option. Only these keys exist: no volumes, privileges or host namespaces. */
export class KubernetesTemplateDto {
  @IsString()
  @IsNotEmpty()
  image: string;

  @IsOptional()
  @IsBoolean()
  egress?: boolean;

  @IsOptional()
  @Matches(DNS_LABEL, { message: 'runtimeClassName must be a DNS label like "gvisor"' })
  runtimeClassName?: string;

  @IsOptional()
  @IsBoolean()
  readOnlyRootFilesystem?: boolean;

  @IsOptional()
  @IsIn(PULL_POLICIES)
  imagePullPolicy?: ImagePullPolicy;

  @IsOptional()
  @IsString()
  @IsNotEmpty()
  language?: string;

  @IsOptional()
  @IsObject()
  env?: Record<string, string>;
}

// Template names become label values: a DNS label keeps them valid ones.
export const KubernetesTemplateMapConstraint = templateMapConstraint(KubernetesTemplateDto, {
  pattern: /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/,
  hint: 'a lower-case DNS label like "python"',
});
