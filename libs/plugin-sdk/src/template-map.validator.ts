import {
  validateSync,
  ValidatorConstraint,
  type ValidationArguments,
  type ValidatorConstraintInterface,
} from 'class-validator';
import type { Class } from './operation.types.js';

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** How template names must look, and what to say when one does not. */
export interface TemplateNameRule {
  pattern: RegExp;
  hint: string;
}

/**
 * Problems with a runtime's `templates` option (name → template DTO), as
 * `templates.<name>.<key>: <message>` lines: bad names, unknown keys, invalid values, env entries
 * that are not string variables.
 */
export function templateMapErrors(value: unknown, template: Class<object>, name: TemplateNameRule): string[] {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return ['templates: must be a map of name to template'];
  const problems: string[] = [];
  for (const [key, raw] of Object.entries(value as Record<string, unknown>)) {
    if (!name.pattern.test(key)) problems.push(`templates.${key}: name must be ${name.hint}`);
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
      problems.push(`templates.${key}: must be a map of settings`);
      continue;
    }
    const dto = Object.assign(new template(), raw) as { env?: unknown };
    for (const e of validateSync(dto, { whitelist: true, forbidNonWhitelisted: true })) {
      for (const m of Object.values(e.constraints ?? { invalid: 'is invalid' }))
        problems.push(`templates.${key}.${e.property}: ${m.endsWith('should not exist') ? 'unknown key' : m}`);
    }
    if (dto.env && typeof dto.env === 'object') {
      for (const [k, v] of Object.entries(dto.env)) {
        if (!ENV_NAME.test(k) || typeof v !== 'string')
          problems.push(`templates.${key}.env.${k}: must be a string variable`);
      }
    }
  }
  return problems;
}

/** A class-validator constraint (`@Validate(...)`) that checks a `templates` option with templateMapErrors. */
export function templateMapConstraint(
  template: Class<object>,
  name: TemplateNameRule,
): Class<ValidatorConstraintInterface> {
  @ValidatorConstraint({ name: 'templateMap' })
  class TemplateMapConstraint implements ValidatorConstraintInterface {
    validate(value: unknown): boolean {
      return templateMapErrors(value, template, name).length === 0;
    }

    defaultMessage(args?: ValidationArguments): string {
      return templateMapErrors(args?.value, template, name).join('; ');
    }
  }
  return TemplateMapConstraint;
}
