import { IsObject, IsOptional } from 'class-validator';
import { CODE_LANGUAGES } from './code-language.table.js';
import { LanguageTemplateMap } from './language-template.map.js';

const TEMPLATE_NAME = /^[a-z0-9][a-z0-9._-]{0,62}$/;

/** The `capability-code` plugin options. */
export class CodeOptionsDto {
  /** Language id → sandbox template, over the table's defaults (e.g. `{ python: ml }`). */
  @IsOptional()
  @IsObject()
  templates?: Record<string, string>;
}

/** Checks what decorators cannot (keys are language ids, values template names); throws naming the key. */
export function resolveCodeOptions(dto: Partial<CodeOptionsDto> = {}): LanguageTemplateMap {
  const ids = CODE_LANGUAGES.map((l) => l.id);
  for (const [language, template] of Object.entries(dto.templates ?? {})) {
    if (!ids.includes(language)) {
      throw new Error(`options.templates.${language}: unknown language (one of: ${ids.join(', ')})`);
    }
    if (typeof template !== 'string' || !TEMPLATE_NAME.test(template)) {
      throw new Error(`options.templates.${language}: must be a template name like "python"`);
    }
  }
  return new LanguageTemplateMap(dto.templates);
}
