import { describe, expect, it } from '@jest/globals';
import { InvalidArgumentError } from '@sandboxed/plugin-sdk';
import { requireLanguage, resolveRunLanguage } from './code-language.resolver.js';
import { LanguageTemplateMap } from './language-template.map.js';

const defaults = new LanguageTemplateMap();
const sandbox = (template: string, labels: Record<string, string> = {}) => ({ template, labels });

describe('resolving the language of a run', () => {
  it('rejects an unknown language with a 400 that lists the supported ones', () => {
    let err: unknown;
    try {
      requireLanguage('cobol');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(InvalidArgumentError);
    const e = err as InvalidArgumentError;
    expect(e.status).toBe(400);
    expect(e.message).toMatch(
      /^Unknown language "cobol"; supported: python \(python3, py\), javascript \(node, nodejs, js\), go/,
    );
    expect(e.details).toMatchObject({
      language: 'cobol',
      supported: ['python', 'javascript', 'go', 'java', 'rust', 'ruby', 'php', 'bash', 'sh'],
      aliases: { node: 'javascript', py: 'python' },
    });
  });

  it('prefers the requested language, then the sandbox’s language label, then its template', () => {
    const labelled = sandbox('python', { language: 'ruby' });
    expect(resolveRunLanguage('go', labelled, defaults).id).toBe('go');
    expect(resolveRunLanguage(undefined, labelled, defaults).id).toBe('ruby');
    expect(resolveRunLanguage(undefined, sandbox('python'), defaults).id).toBe('python');
    expect(resolveRunLanguage(undefined, sandbox('node'), defaults).id).toBe('javascript');
    expect(resolveRunLanguage(undefined, sandbox('base'), defaults).id).toBe('bash');
  });

  it('asks for a language when the template has none', () => {
    expect(() => resolveRunLanguage(undefined, sandbox('custom'), defaults)).toThrow(
      /language is required: template "custom" has no default language; supported: python/,
    );
    expect(() => resolveRunLanguage(undefined, sandbox('base', { language: 'klingon' }), defaults)).toThrow(
      /Unknown language "klingon"/,
    );
  });

  it('follows templates the operator remapped, both ways', () => {
    const remapped = new LanguageTemplateMap({ python: 'datascience' });
    expect(resolveRunLanguage(undefined, sandbox('datascience'), remapped).id).toBe('python');
    expect(remapped.templateFor(requireLanguage('python'))).toBe('datascience');
    expect(remapped.templateFor(requireLanguage('ruby'))).toBe('ruby');
    expect(() => resolveRunLanguage(undefined, sandbox('python'), remapped)).toThrow(/language is required/);
  });
});
