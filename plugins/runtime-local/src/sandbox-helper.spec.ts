import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { sandboxSpec } from '@sandboxed/testing';
import { LocalRuntime } from './local.runtime.js';
import { ensureSandboxHelper } from './sandbox-helper.binary.js';

/** The helper binary itself, driven with hostile arguments and environments. */
const run = (file: string, args: string[], env: Record<string, string> = {}) =>
  new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(file, args, { env }, (err, stdout, stderr) =>
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
const spec = () => sandboxSpec('helper-spec');

describe('sandbox helper', () => {
  let dataDir: string;
  let helper: string;
  let runtime: LocalRuntime;
  const holderOf = async (id: string): Promise<number> =>
    (JSON.parse(await readFile(join(dataDir, id, 'meta.json'), 'utf8')) as { holder: { childPid: number } }).holder
      .childPid;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'sbx-helper-'));
    helper = await ensureSandboxHelper(join(dataDir, '.helper'));
    runtime = new LocalRuntime({ dataDir, isolation: 'bwrap', network: 'none' }, { warn: () => undefined });
  });
  afterAll(async () => rm(dataDir, { recursive: true, force: true }));

  it('ignores its own environment: the program gets exactly the --env entries', async () => {
    const r = await run(helper, ['exec', '--env', 'ONLY=this', '--', '/usr/bin/env'], {
      LD_PRELOAD: '/nonexistent.so',
      LEAK: 'from-the-gateway',
    });
    expect(r.code).toBe(0);
    expect(r.stdout.trim().split('\n')).toEqual(['ONLY=this']);
  });

  it('refuses to join a holder that belongs to another sandbox', async () => {
    const [a, b] = [await runtime.create(spec()), await runtime.create(spec())];
    try {
      const uid = process.getuid?.() === 0 ? ['--uid', '65534', '--gid', '65534'] : [];
      const wrong = await run(helper, [
        'exec',
        '--target',
        String(await holderOf(b.id)),
        '--sandbox',
        a.id,
        ...uid,
        '--',
        '/bin/true',
      ]);
      expect(wrong.code).toBe(125);
      expect(wrong.stderr).toMatch(/not this sandbox's holder/);
      const missing = await run(helper, ['exec', '--target', String(await holderOf(a.id)), ...uid, '--', '/bin/true']);
      expect(missing.code).toBe(125);
      expect(missing.stderr).toMatch(/--sandbox is required/);
      const right = await run(helper, [
        'exec',
        '--target',
        String(await holderOf(a.id)),
        '--sandbox',
        a.id,
        ...uid,
        '--',
        '/bin/true',
      ]);
      expect(right.code).toBe(0);
    } finally {
      await runtime.destroy(a.id);
      await runtime.destroy(b.id);
    }
  });

  it('rejects malformed numbers and unknown options before doing anything', async () => {
    for (const args of [
      ['exec', '--target', '1x', '--', 'true'],
      ['exec', '--uid', '-1', '--', 'true'],
      ['exec', '--rlimit', 'nofile=abc', '--', 'true'],
      ['exec', '--bogus', 'x', '--', 'true'],
      ['connect', '--target', '2', '--sandbox', 'x', '--port', '70000'],
    ]) {
      const r = await run(helper, args);
      expect(r.code).toBe(125);
      expect(r.stderr).toMatch(/sandbox-helper: /);
    }
  });
});
