import { describe, expect, it } from '@jest/globals';
import { CODE_LANGUAGES, findLanguage, LANGUAGE_NAMES } from './code-language.table.js';

describe('the language table', () => {
  it('covers the seed systems’ languages, each with a template, a file and a run command', () => {
    expect(CODE_LANGUAGES.map((l) => l.id)).toEqual([
      'python',
      'javascript',
      'go',
      'java',
      'rust',
      'ruby',
      'php',
      'bash',
      'sh',
    ]);
    for (const l of CODE_LANGUAGES) {
      expect(l.fileName).toMatch(/^\w+\.\w+$/);
      expect(l.run.length).toBeGreaterThan(0);
      expect(l.run.join(' ')).toMatch(/\{(src|bin)\}/);
    }
  });

  it('picks the Docker templates that have each toolchain', () => {
    const templates = Object.fromEntries(CODE_LANGUAGES.map((l) => [l.id, l.template]));
    expect(templates).toEqual({
      python: 'python',
      javascript: 'node',
      go: 'go',
      java: 'java',
      rust: 'rust',
      ruby: 'ruby',
      php: 'php',
      bash: 'base',
      sh: 'base',
    });
  });

  it('compiles exactly the compiled languages, into {bin}, which then runs', () => {
    const compiled = CODE_LANGUAGES.filter((l) => l.compile).map((l) => l.id);
    expect(compiled).toEqual(['go', 'rust']);
    for (const id of compiled) {
      const l = findLanguage(id)!;
      expect(l.compile).toContain('{bin}');
      expect(l.run).toEqual(['{bin}']);
    }
  });

  it('finds a language by id or alias, case-insensitively, and nothing else', () => {
    expect(findLanguage('Python')?.id).toBe('python');
    expect(findLanguage('py')?.id).toBe('python');
    expect(findLanguage('node')?.id).toBe('javascript');
    expect(findLanguage(' JS ')?.id).toBe('javascript');
    expect(findLanguage('golang')?.id).toBe('go');
    expect(findLanguage('shell')?.id).toBe('sh');
    expect(findLanguage('cobol')).toBeUndefined();
    expect(findLanguage('')).toBeUndefined();
  });

  it('has no name that means two languages', () => {
    expect(new Set(LANGUAGE_NAMES).size).toBe(LANGUAGE_NAMES.length);
  });

  it('adds PHP’s opening tag only when the code has none', () => {
    const php = findLanguage('php')!;
    expect(php.adapt!({ name: 'main.php', text: 'echo 1;' }).text).toBe('<?php\necho 1;');
    expect(php.adapt!({ name: 'main.php', text: '<?php echo 1;' }).text).toBe('<?php echo 1;');
    expect(php.adapt!({ name: 'main.php', text: 'a <?= 1 ?>' }).text).toBe('a <?= 1 ?>');
  });

  it('writes JavaScript with import/export statements as an ES module (.mjs)', () => {
    const js = findLanguage('javascript')!;
    expect(js.adapt!({ name: 'main.js', text: "import fs from 'node:fs';" }).name).toBe('main.mjs');
    expect(js.adapt!({ name: 'main.js', text: 'const x = 1;\nexport { x };' }).name).toBe('main.mjs');
    expect(js.adapt!({ name: 'main.js', text: "const fs = require('fs');" }).name).toBe('main.js');
    expect(js.adapt!({ name: 'main.js', text: "const m = await import('x');" }).name).toBe('main.js');
  });
});
