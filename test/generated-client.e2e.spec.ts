import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { createClient } from '@hey-api/openapi-ts';
import { startTestGateway, type TestGateway } from '@sandboxed/testing';

const run = promisify(execFile);
const require = createRequire(import.meta.url);
const TSC = require.resolve('typescript/bin/tsc');
const TYPE_ROOTS = resolve('node_modules/@types');
const SLOW = 120_000;

/**
 * A program a user of the generated client would write: typed calls, path parameters in `path`,
 * bodies without them. It must type-check as is (strict), and then run against the gateway.
 */
const PROGRAM = `
import { client } from './client/client.gen.js';
import {
  filesStat, filesWrite, health, processKill, processStart, processStdin, processGet,
  sandboxCreate, sandboxDelete, sandboxGet, shellExec, wsTicket,
} from './client/sdk.gen.js';
import type { ProcessInfo, SandboxDto, StatFileOutput } from './client/types.gen.js';

client.setConfig({ baseUrl: process.env.SANDBOXED_BASE_URL!, headers: { authorization: 'Bearer k_gen' } });

const up = await health({ throwOnError: true });
const sandbox: SandboxDto = (await sandboxCreate({ body: { labels: { via: 'generated' } }, throwOnError: true })).data;
const id: string = sandbox.id;
const exec = await shellExec({ path: { id }, body: { command: 'echo generated' }, throwOnError: true });
await filesWrite({ path: { id }, body: { path: 'g.txt', content: 'x' }, throwOnError: true });
const stat: StatFileOutput = (await filesStat({ path: { id }, body: { path: 'g.txt' }, throwOnError: true })).data;
const mtime: string | undefined = stat.mtime;
const reader = (await processStart({ path: { id }, body: { command: 'read l; echo "got $l"' }, throwOnError: true })).data;
await processStdin({ path: { id, processId: reader.id }, body: { data: 'it\\n', eof: true }, throwOnError: true });
const sleeper = (await processStart({ path: { id }, body: { argv: ['sleep', '300'] }, throwOnError: true })).data;
const killed: ProcessInfo = (
  await processKill({ path: { id, processId: sleeper.id }, body: { signal: 'SIGTERM' }, throwOnError: true })
).data;
const status: 'running' | 'exited' | 'killed' = (await processGet({ path: { id, processId: sleeper.id }, throwOnError: true })).data.status;
const ticket = (await wsTicket({ throwOnError: true })).data;
const expiresAt: string = ticket.expiresAt;
await sandboxDelete({ path: { id }, throwOnError: true });
const gone = await sandboxGet({ path: { id } });

console.log(JSON.stringify({
  health: up.data.status, stdout: exec.data.stdout, mtime, killed: killed.status, status,
  ticket: typeof ticket.ticket, expiresAt, gone: gone.response.status, error: gone.error?.error.code,
}));
`;

const TSCONFIG = {
  compilerOptions: {
    target: 'es2023',
    module: 'nodenext',
    moduleResolution: 'nodenext',
    lib: ['es2023', 'dom'],
    strict: true,
    noUncheckedIndexedAccess: true,
    skipLibCheck: true,
    typeRoots: [TYPE_ROOTS],
    types: ['node'],
    outDir: 'out',
  },
  include: ['main.ts', 'client/**/*.ts'],
};

describe('a typed client generated from /openapi.json (@hey-api/openapi-ts)', () => {
  let gw: TestGateway;
  let dir: string;
  beforeAll(async () => {
    gw = await startTestGateway({
      onlyPlugins: ['runtime-local', 'capability-shell', 'capability-files', 'transport-rest'],
      extraPlugins: ['capability-processes', 'transport-ws'],
      config: { auth: { apiKeys: { k_gen: 'gen' } } },
    });
    dir = mkdtempSync(join(tmpdir(), 'sandboxed-generated-client-'));
  });
  afterAll(async () => {
    await gw?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it(
    'compiles under strict TypeScript and works against the gateway',
    async () => {
      const spec = (await (await fetch(`${gw.url}/openapi.json`)).json()) as Record<string, unknown>;
      await createClient({
        input: spec,
        output: { path: join(dir, 'client') },
        plugins: ['@hey-api/client-fetch', '@hey-api/typescript', '@hey-api/sdk'],
        logs: { level: 'silent' },
      });
      writeFileSync(join(dir, 'main.ts'), PROGRAM);
      writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify(TSCONFIG));
      writeFileSync(join(dir, 'package.json'), JSON.stringify({ type: 'module' }));

      const compiled = await run(process.execPath, [TSC, '-p', dir], { cwd: dir }).catch((err: { stdout: string }) => ({
        stdout: err.stdout,
        failed: true,
      }));
      expect(compiled.stdout).toBe('');

      writeFileSync(join(dir, 'out', 'package.json'), JSON.stringify({ type: 'module' }));
      const { stdout } = await run(process.execPath, [join(dir, 'out', 'main.js')], {
        env: { ...process.env, SANDBOXED_BASE_URL: gw.url },
      });
      expect(JSON.parse(stdout)).toEqual({
        health: 'ok',
        stdout: 'generated\n',
        mtime: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/),
        killed: 'killed',
        status: 'killed',
        ticket: 'string',
        expiresAt: expect.any(String),
        gone: 404,
        error: 'not_found',
      });
    },
    SLOW,
  );
});
