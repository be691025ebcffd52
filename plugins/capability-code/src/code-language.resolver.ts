import { InvalidArgumentError, type SandboxInfo } from '@sandboxed/plugin-sdk';
import { CODE_LANGUAGES, findLanguage, type CodeLanguage } from './code-language.table.js';
import type { LanguageTemplateMap } from './language-template.map.js';

/** `python, javascript (node, nodejs, js), …`: what a 400 lists. */
export function supportedLanguagesText(): string {
  return CODE_LANGUAGES.map((l) => (l.aliases.length ? `${l.id} (${l.aliases.join(', ')})` : l.id)).join(', ');
}

/** The language named, or a 400 that lists the supported ones. */
export function requireLanguage(name: string): CodeLanguage {
  const language = findLanguage(name);
  if (language) return language;
  throw new InvalidArgumentError(`Unknown language "${name.slice(0, 100)}"; supported: ${supportedLanguagesText()}`, {
    language: name.slice(0, 100),
    supported: CODE_LANGUAGES.map((l) => l.id),
    aliases: Object.fromEntries(CODE_LANGUAGES.flatMap((l) => l.aliases.map((a) => [a, l.id]))),
  });
}

/**
 * The language of a `code.run`: the one asked for, else the sandbox's `language` label (set by
 * `code.execute` and MCP's create_sandbox), else the language of the sandbox's template.
 */
export function resolveRunLanguage(
  requested: string | undefined,
  sandbox: Pick<SandboxInfo, 'template' | 'labels'>,
  templates: LanguageTemplateMap,
): CodeLanguage {
  if (requested !== undefined) return requireLanguage(requested);
  const labelled = sandbox.labels?.language;
  if (labelled) return requireLanguage(labelled);
  const byTemplate = templates.languageOf(sandbox.template);
  if (byTemplate) return byTemplate;
  throw new InvalidArgumentError(
    `language is required: template "${sandbox.template}" has no default language; supported: ${supportedLanguagesText()}`,
    { template: sandbox.template, supported: CODE_LANGUAGES.map((l) => l.id) },
  );
}
