import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { afterAll, describe, expect, it } from '@jest/globals';
import { findLanguage, type CodeLanguage } from './code-language.table.js';
import { planCodeRun, shellQuote, withStderrInStdout, type CodeRunPlan } from './code-run.plan.js';
import { sourceArchive } from './source-archive.builder.js';

/**
 * The plan's script is plain sh: run it on this host, with the archive extracted by the real
 * `tar`, the way a runtime does inside a sandbox.
 */
async function runPlan(
  plan: CodeRunPlan,
  stdin = '',
): Promise<{ stdout: string; stderr: string; code: number | null }> {
  const chunks: Buffer[] = [];
  const extract = spawn('tar', ['-x', '-f', '-', '-C', '/tmp']);
  for await (const chunk of sourceArchive(plan)) chunks.push(chunk as Buffer);
  extract.stdin.end(Buffer.concat(chunks));
  await new Promise((resolve) => extract.on('close', resolve));
  const result = spawnSync(plan.argv[0], plan.argv.slice(1), {
    cwd: workdir,
    input: stdin,
    env: { ...process.env, ...plan.env },
  });
  return { stdout: result.stdout.toString(), stderr: result.stderr.toString(), code: result.status };
}

const workdir = mkdtempSync(`${tmpdir()}/code-plan-workdir-`);
afterAll(() => rmSync(workdir, { recursive: true, force: true }));

const fake = (overrides: Partial<CodeLanguage>): CodeLanguage => ({
  id: 'fake',
  aliases: [],
  template: 'base',
  fileName: 'main.sh',
  run: ['sh', '{src}'],
  ...overrides,
});

describe('a code run plan', () => {
  it('puts the source in a fresh hidden folder under /tmp (or another root), named by the language', () => {
    const plan = planCodeRun(findLanguage('python')!, 'print(1)', '/tmp', 'abc');
    expect(plan.dir).toBe('/tmp/.sandboxed-code-abc');
    expect(plan.file).toEqual({ name: 'main.py', text: 'print(1)' });
    expect(plan.argv.slice(0, 2)).toEqual(['/bin/sh', '-c']);
    expect(plan.argv[2]).toContain("'python3' '/tmp/.sandboxed-code-abc/main.py'");
    expect(planCodeRun(findLanguage('python')!, 'x').dir).not.toBe(planCodeRun(findLanguage('python')!, 'x').dir);
    expect(planCodeRun(findLanguage('ruby')!, 'x', '/workspace', 'f').argv[2]).toContain(
      "'/workspace/.sandboxed-code-f/main.rb'",
    );
  });

  it('runs the program in the working directory with stdin, keeps its exit code and removes the folder', async () => {
    const plan = planCodeRun(findLanguage('bash')!, 'pwd; read line; echo "got $line"; echo err >&2; exit 7');
    const out = await runPlan(plan, 'hello\n');
    expect(out).toEqual({ stdout: `${workdir}\ngot hello\n`, stderr: 'err\n', code: 7 });
    expect(existsSync(plan.dir)).toBe(false);
  });

  it('compiles in the temp folder, sends compiler output to stderr, then runs {bin}', async () => {
    const compile = [
      'sh',
      '-c',
      'pwd; cat; printf "#!/bin/sh\\necho ran \\"\\$@\\"\\n" > "$0"; chmod +x "$0"',
      '{bin}',
    ];
    const plan = planCodeRun(fake({ compile, run: ['{bin}', 'arg'] }), 'unused');
    const out = await runPlan(plan, 'for the program only');
    expect(out.stdout).toBe('ran arg\n');
    expect(out.stderr).toBe(`${plan.dir}\n`);
    expect(out.code).toBe(0);
    expect(existsSync(plan.dir)).toBe(false);
  });

  it('stops at a failed compile with the compiler’s exit code, and still cleans up', async () => {
    const plan = planCodeRun(
      fake({ compile: ['sh', '-c', 'echo syntax error >&2; exit 3'], run: ['sh', '-c', 'echo ran'] }),
      'x',
    );
    const out = await runPlan(plan);
    expect(out).toEqual({ stdout: '', stderr: 'syntax error\n', code: 3 });
    expect(existsSync(plan.dir)).toBe(false);
  });

  it('can write stderr into stdout, in the order written, compiler messages included', async () => {
    const code = 'for i in 1 2 3; do echo out$i; echo err$i >&2; done; exit 4';
    const merged = await runPlan(withStderrInStdout(planCodeRun(findLanguage('bash')!, code)));
    expect(merged).toEqual({ stdout: 'out1\nerr1\nout2\nerr2\nout3\nerr3\n', stderr: '', code: 4 });
    const compile = ['sh', '-c', 'echo compiling >&2; printf "#!/bin/sh\\necho ran\\n" > "$0"; chmod +x "$0"', '{bin}'];
    const compiled = await runPlan(withStderrInStdout(planCodeRun(fake({ compile, run: ['{bin}'] }), 'x')));
    expect(compiled).toEqual({ stdout: 'compiling\nran\n', stderr: '', code: 0 });
  });

  it('passes the code through untouched: quotes, dollars and backslashes are the program’s', async () => {
    const code = `echo '$HOME' "it's" \\\\ \`echo tick\`\n`;
    const out = await runPlan(planCodeRun(findLanguage('bash')!, code));
    expect(out.stdout).toBe("$HOME it's \\ tick\n");
  });

  it('quotes words for sh', () => {
    expect(shellQuote("it's $x")).toBe(`'it'\\''s $x'`);
    expect(spawnSync('/bin/sh', ['-c', `printf %s ${shellQuote('a\'b $c \\ "d"')}`]).stdout.toString()).toBe(
      `a'b $c \\ "d"`,
    );
  });

  it('carries the language’s environment (Go’s caches live under /tmp, not the workspace)', () => {
    const plan = planCodeRun(findLanguage('go')!, 'package main');
    expect(plan.env.GOCACHE).toMatch(/^\/tmp\//);
    expect(plan.env.GOPATH).toMatch(/^\/tmp\//);
    expect(plan.argv[2]).toContain(`(cd "$d" && exec 'go' 'build' '-o' '${plan.dir}/main' '${plan.dir}/main.go')`);
  });
});
