/** The file a program is written to, inside a fresh temp dir in the sandbox. */
export interface SourceFile {
  name: string;
  text: string;
}

/**
 * How to run one language. Commands are argv lists; `{src}` is the source file's absolute path,
 * `{dir}` the temp dir, `{bin}` the compiled program (`{dir}/main`).
 */
export interface CodeLanguage {
  /** Canonical name, reported in results. */
  id: string;
  aliases: readonly string[];
  /** Template `code.execute` creates; on Docker it picks the image that has the toolchain. */
  template: string;
  fileName: string;
  /** Run in the temp dir, before `run`; its stdout goes to stderr so the program's stdout stays clean. */
  compile?: readonly string[];
  /** Run in the sandbox's working directory, with the caller's stdin. */
  run: readonly string[];
  env?: Readonly<Record<string, string>>;
  /** Adjusts the file before it is written. */
  adapt?: (file: SourceFile) => SourceFile;
}

/** Caches live under /tmp, not in the workspace, and are shared by the runs in one sandbox. */
const CACHE_DIR = '/tmp/.sandboxed-cache';

const ESM_SYNTAX = /^\s*(import\s*[\w{*'"]|export\s)/m;
const PHP_OPEN_TAG = /<\?(php|=)/;

export const CODE_LANGUAGES: readonly CodeLanguage[] = [
  {
    id: 'python',
    aliases: ['python3', 'py'],
    template: 'python',
    fileName: 'main.py',
    run: ['python3', '{src}'],
    env: { PYTHONDONTWRITEBYTECODE: '1' },
  },
  {
    id: 'javascript',
    aliases: ['node', 'nodejs', 'js'],
    template: 'node',
    fileName: 'main.js',
    run: ['node', '{src}'],
    // Node before 22 runs `.js` as CommonJS: code with import/export statements needs `.mjs`.
    adapt: (file) => (ESM_SYNTAX.test(file.text) ? { ...file, name: 'main.mjs' } : file),
  },
  {
    id: 'go',
    aliases: ['golang'],
    template: 'go',
    fileName: 'main.go',
    compile: ['go', 'build', '-o', '{bin}', '{src}'],
    run: ['{bin}'],
    env: { GOCACHE: `${CACHE_DIR}/go-build`, GOPATH: `${CACHE_DIR}/gopath` },
  },
  {
    id: 'java',
    aliases: [],
    template: 'java',
    fileName: 'Main.java',
    // The source launcher (JDK 11+) compiles in memory and runs the first class, whatever its name.
    run: ['java', '-XX:+UseSerialGC', '{src}'],
  },
  {
    id: 'rust',
    aliases: ['rs'],
    template: 'rust',
    fileName: 'main.rs',
    compile: ['rustc', '--edition=2021', '-o', '{bin}', '{src}'],
    run: ['{bin}'],
  },
  {
    id: 'ruby',
    aliases: ['rb'],
    template: 'ruby',
    fileName: 'main.rb',
    run: ['ruby', '{src}'],
  },
  {
    id: 'php',
    aliases: [],
    template: 'php',
    fileName: 'main.php',
    run: ['php', '{src}'],
    // Without an opening tag PHP would print the code instead of running it.
    adapt: (file) => (PHP_OPEN_TAG.test(file.text) ? file : { ...file, text: `<?php\n${file.text}` }),
  },
  {
    id: 'bash',
    aliases: [],
    template: 'base',
    fileName: 'main.sh',
    run: ['bash', '{src}'],
  },
  {
    id: 'sh',
    aliases: ['shell'],
    template: 'base',
    fileName: 'main.sh',
    run: ['sh', '{src}'],
  },
];

/** Every accepted spelling: ids first, then aliases. */
export const LANGUAGE_NAMES: readonly string[] = [
  ...CODE_LANGUAGES.map((l) => l.id),
  ...CODE_LANGUAGES.flatMap((l) => l.aliases),
];

/** The language for a name or alias (case-insensitive), or undefined. */
export function findLanguage(name: string): CodeLanguage | undefined {
  const key = name.trim().toLowerCase();
  return CODE_LANGUAGES.find((l) => l.id === key || l.aliases.includes(key));
}
