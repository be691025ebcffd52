import { randomBytes } from 'node:crypto';
import { posix } from 'node:path';
import type { CodeLanguage, SourceFile } from './code-language.table.js';

/** Where `code.run` puts its files: a fresh folder per run under /tmp, removed afterwards. */
export const CODE_TMP_ROOT = '/tmp';
/** Prefix of every run's folder. */
export const CODE_DIR_PREFIX = '.sandboxed-code-';

/** What to put into the sandbox and what to execute there for one run. */
export interface CodeRunPlan {
  /** Absolute temp dir inside the sandbox. */
  dir: string;
  /** The source file, relative to `dir`. */
  file: SourceFile;
  /** One exec: compile (if any), run, then remove `dir`, keeping the program's exit code. */
  argv: string[];
  env: Record<string, string>;
}

export function shellQuote(word: string): string {
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

function commandLine(argv: readonly string[], paths: Record<string, string>): string {
  return argv.map((word) => shellQuote(word.replace(/\{(src|dir|bin)\}/g, (_, key: string) => paths[key]))).join(' ');
}

/**
 * The script keeps its shell as the parent, so it can clean up after the program exits (even
 * non-zero). Only a kill of the whole process group (timeout, disconnect) skips the cleanup:
 * the caller then removes `dir` with a second exec.
 */
export function planCodeRun(
  language: CodeLanguage,
  code: string,
  root = CODE_TMP_ROOT,
  tmpName = randomBytes(12).toString('hex'),
): CodeRunPlan {
  const dir = posix.join(root, `${CODE_DIR_PREFIX}${tmpName}`);
  const file = language.adapt
    ? language.adapt({ name: language.fileName, text: code })
    : { name: language.fileName, text: code };
  const paths = { dir, src: posix.join(dir, file.name), bin: posix.join(dir, 'main') };
  const lines = [`d=${shellQuote(dir)}`];
  if (language.compile) {
    lines.push(
      `(cd "$d" && exec ${commandLine(language.compile, paths)}) </dev/null >&2 || { s=$?; rm -rf -- "$d"; exit "$s"; }`,
    );
  }
  lines.push(commandLine(language.run, paths), 's=$?', 'rm -rf -- "$d"', 'exit "$s"');
  return { dir, file, argv: ['/bin/sh', '-c', lines.join('\n')], env: { ...language.env } };
}

/**
 * The same run with the program's stderr (and the compiler's messages) written into stdout, so the two
 * arrive interleaved in the order they were written, which no reader of two pipes can reconstruct.
 */
export function withStderrInStdout(plan: CodeRunPlan): CodeRunPlan {
  const [shell, flag, script] = plan.argv;
  return { ...plan, argv: [shell, flag, `exec 2>&1\n${script}`] };
}
