import { CODE_LANGUAGES, type CodeLanguage } from './code-language.table.js';

/**
 * Which sandbox template each language runs in: the table's default unless the plugin's
 * `templates` option maps the language elsewhere. Read both ways: `code.execute` creates the
 * template of a language, `code.run` defaults to the language of the sandbox's template.
 */
export class LanguageTemplateMap {
  private readonly overrides: Readonly<Record<string, string>>;

  constructor(overrides: Record<string, string> = {}) {
    this.overrides = { ...overrides };
  }

  templateFor(language: CodeLanguage): string {
    return this.overrides[language.id] ?? language.template;
  }

  /** The first language (in table order) whose template this is. */
  languageOf(template: string): CodeLanguage | undefined {
    return CODE_LANGUAGES.find((l) => this.templateFor(l) === template);
  }
}
