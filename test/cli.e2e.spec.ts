import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { startTestGateway, type TestGateway } from '@sandboxed/testing';

const run = promisify(execFile);

/** The real CLI entry point, run from source against a real gateway. */
async function sandboxed(
  gw: TestGateway,
  ...args: string[]
): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(
      process.execPath,
      ['--import', './test/support/ts-source.hooks.mjs', 'apps/cli/src/cli.main.ts', ...args],
      { env: { ...process.env, SANDBOXED_URL: gw.url }, timeout: 60_000 },
    );
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('sandboxed CLI', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway({ onlyPlugins: ['runtime-local', 'capability-shell', 'transport-rest'] });
  });
  afterAll(async () => gw?.close());

  it('creates, lists, execs in and removes a sandbox', async () => {
    const created = await sandboxed(gw, 'sandbox', 'create', '--label', 'via=cli');
    expect(created.code).toBe(0);
    const id = created.stdout.trim();
    expect(id).toMatch(/^[0-9a-f]{32}$/);
    expect((await sandboxed(gw, 'sandbox', 'ls')).stdout).toContain(`${id}\tbase\trunning`);
    const exec = await sandboxed(gw, 'sandbox', 'exec', id, '--', 'sh', '-c', 'echo out; echo err >&2; exit 5');
    expect(exec).toEqual({ code: 5, stdout: 'out\n', stderr: 'err\n' });
    expect((await sandboxed(gw, 'sandbox', 'rm', id)).code).toBe(0);
    expect((await sandboxed(gw, 'sandbox', 'ls')).stdout).not.toContain(id);
  }, 120_000);

  it('reports API errors and usage mistakes with a non-zero exit', async () => {
    const missing = await sandboxed(gw, 'sandbox', 'rm', '0123456789abcdef0123456789abcdef');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/404: Sandbox .* not found/);
    const unknown = await sandboxed(gw, 'frobnicate');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/unknown command "frobnicate"/);
    expect((await sandboxed(gw, 'version')).stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
  }, 120_000);
});
