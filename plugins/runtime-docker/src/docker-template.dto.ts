import { plainToInstance } from 'class-transformer';
import {
  IsIn,
  IsInt,
  IsNotEmpty,
  IsObject,
  IsOptional,
  IsString,
  Max,
  Min,
  validateSync,
  ValidatorConstraint,
  type ValidationArguments,
  type ValidatorConstraintInterface,
} from 'class-validator';
import type { DockerNetwork } from './docker-runtime.options.js';

/** One entry of the `templates` option. Only these keys exist: no mounts, privileges or host network. */
export class DockerTemplateDto {
  @IsString()
  @IsNotEmpty()
  image: string;

  @IsOptional()
  @IsIn(['none', 'bridge'])
  network?: DockerNetwork;

  @IsOptional()
  @IsString()
  @IsNotEmpty()
  language?: string;

  @IsOptional()
  @IsInt()
  @Min(16)
  @Max(100_000)
  pidsLimit?: number;

  @IsOptional()
  @IsObject()
  env?: Record<string, string>;
}

const TEMPLATE_NAME = /^[a-z0-9][a-z0-9._-]{0,62}$/;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Problems with a `templates` map, as `templates.<name>.<key>: <message>` lines. */
export function templateMapErrors(value: unknown): string[] {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return ['templates: must be a map of name to template'];
  const problems: string[] = [];
  for (const [name, raw] of Object.entries(value as Record<string, unknown>)) {
    if (!TEMPLATE_NAME.test(name)) problems.push(`templates.${name}: name must be lower-case like "python"`);
    const dto = plainToInstance(DockerTemplateDto, raw ?? {}, { enableImplicitConversion: true });
    for (const e of validateSync(dto, { whitelist: true, forbidNonWhitelisted: true })) {
      const messages = Object.values(e.constraints ?? { invalid: 'is invalid' });
      for (const m of messages)
        problems.push(`templates.${name}.${e.property}: ${m.endsWith('should not exist') ? 'unknown key' : m}`);
    }
    for (const [k, v] of Object.entries(dto.env ?? {})) {
      if (!ENV_NAME.test(k) || typeof v !== 'string')
        problems.push(`templates.${name}.env.${k}: must be a string variable`);
    }
  }
  return problems;
}

@ValidatorConstraint({ name: 'templateMap' })
export class TemplateMapConstraint implements ValidatorConstraintInterface {
  validate(value: unknown): boolean {
    return templateMapErrors(value).length === 0;
  }

  defaultMessage(args?: ValidationArguments): string {
    return templateMapErrors(args?.value).join('; ');
  }
}
