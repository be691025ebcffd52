import { describe, expect, it } from '@jest/globals';
import { requireLanguage } from './code-language.resolver.js';
import { resolveCodeOptions } from './code-options.dto.js';

describe('capability-code options', () => {
  it('maps languages to other templates', () => {
    const map = resolveCodeOptions({ templates: { go: 'go-1-22' } });
    expect(map.templateFor(requireLanguage('go'))).toBe('go-1-22');
    expect(resolveCodeOptions().templateFor(requireLanguage('go'))).toBe('go');
  });

  it('names the key when a language is unknown or a template name is invalid', () => {
    expect(() => resolveCodeOptions({ templates: { node: 'x' } })).toThrow(
      'options.templates.node: unknown language (one of: python, javascript, go, java, rust, ruby, php, bash, sh)',
    );
    expect(() => resolveCodeOptions({ templates: { python: 'Not A Name' } })).toThrow(
      'options.templates.python: must be a template name like "python"',
    );
  });
});
