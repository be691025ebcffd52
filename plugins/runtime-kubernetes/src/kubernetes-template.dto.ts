import { plainToInstance } from 'class-transformer';
import {
  IsBoolean,
  IsIn,
  IsNotEmpty,
  IsObject,
  IsOptional,
  IsString,
  Matches,
  validateSync,
  ValidatorConstraint,
  type ValidationArguments,
  type ValidatorConstraintInterface,
} from 'class-validator';
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

const TEMPLATE_NAME = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Problems with a `templates` map, as `templates.<name>.<key>: <message>` lines. */
export function templateMapErrors(value: unknown): string[] {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return ['templates: must be a map of name to template'];
  const problems: string[] = [];
  for (const [name, raw] of Object.entries(value as Record<string, unknown>)) {
    // Template names become label values: a DNS label keeps them valid ones.
    if (!TEMPLATE_NAME.test(name))
      problems.push(`templates.${name}: name must be a lower-case DNS label like "python"`);
    const dto = plainToInstance(KubernetesTemplateDto, raw ?? {}, { enableImplicitConversion: true });
    for (const e of validateSync(dto, { whitelist: true, forbidNonWhitelisted: true })) {
      for (const m of Object.values(e.constraints ?? { invalid: 'is invalid' }))
        problems.push(`templates.${name}.${e.property}: ${m.endsWith('should not exist') ? 'unknown key' : m}`);
    }
    for (const [k, v] of Object.entries(dto.env ?? {})) {
      if (!ENV_NAME.test(k) || typeof v !== 'string')
        problems.push(`templates.${name}.env.${k}: must be a string variable`);
    }
  }
  return problems;
}

@ValidatorConstraint({ name: 'kubernetesTemplateMap' })
export class KubernetesTemplateMapConstraint implements ValidatorConstraintInterface {
  validate(value: unknown): boolean {
    return templateMapErrors(value).length === 0;
  }

  defaultMessage(args?: ValidationArguments): string {
    return templateMapErrors(args?.value).join('; ');
  }
}
