import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import { BinaryBody, collectOutput, SandboxedError, TimeoutError } from '@sandboxed/plugin-sdk';
import type {
  Limits,
  OperationDefinition,
  OperationRegistry,
  SandboxInfo,
  SandboxOperationContext,
  SandboxRuntime,
} from '@sandboxed/plugin-sdk';
import { DockerRuntime, LOCAL_IMAGES, resolveDockerRuntimeOptions } from '@sandboxed/runtime-docker';
import { KubernetesRuntime, resolveKubernetesRuntimeOptions } from '@sandboxed/runtime-kubernetes';
import { LocalRuntime } from '@sandboxed/runtime-local';
import { startFakeKube } from '@sandboxed/testing';
import { FilesOperationsRegistrar, SandboxShell } from '@sandboxed/capability-files';
import { describeWithDocker, dockerUnavailableReason } from './docker-engine.support.js';

const limits: Limits = {
  exec: { timeoutMs: 30_000, maxTimeoutMs: 120_000, maxOutputBytes: 1 << 20 },
  files: { maxReadBytes: 1 << 20, maxWriteBytes: 8 << 20, maxListEntries: 50, timeoutMs: 30_000 },
  sandbox: { defaultTtlSeconds: 3600, maxTtlSeconds: 86400 },
};

class MemoryRegistry implements OperationRegistry {
  readonly ops = new Map<string, OperationDefinition>();
  register(op: OperationDefinition): void {
    if (this.ops.has(op.id)) throw new Error(`duplicate ${op.id}`);
    this.ops.set(op.id, op);
  }
  get(id: string): OperationDefinition | undefined {
    return this.ops.get(id);
  }
  list(): OperationDefinition[] {
    return [...this.ops.values()];
  }
}

const quiet = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

let runtime: SandboxRuntime;
let sandbox: SandboxInfo;
const registry = new MemoryRegistry();

function context(body?: Readable): SandboxOperationContext {
  return {
    principal: { id: 't', scopes: ['*'] },
    signal: new AbortController().signal,
    logger: quiet,
    sandbox,
    runtime,
    body,
  };
}

/** Validates like the kernel (whitelist, forbidNonWhitelisted, no implicit conversion), then runs the handler. */
async function call<T = Record<string, unknown>>(
  id: string,
  raw: Record<string, unknown>,
  body?: Readable,
): Promise<T> {
  const op = registry.get(id);
  if (!op || op.stream) throw new Error(`no unary operation ${id}`);
  const input = plainToInstance(op.input as new () => object, raw);
  const errors = await validate(input, { whitelist: true, forbidNonWhitelisted: true, forbidUnknownValues: true });
  if (errors.length > 0)
    throw new Error(`invalid input for ${id}: ${JSON.stringify(errors.map((e) => e.constraints))}`);
  const handler = op.handler as (ctx: SandboxOperationContext, input: object) => Promise<unknown>;
  body?.on('error', () => undefined); // as the kernel's invoker does
  return (await handler(context(body), input)) as T;
}

async function failure(promise: Promise<unknown>): Promise<SandboxedError> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof SandboxedError) return err;
    throw err;
  }
  throw new Error('expected the operation to fail');
}

async function sh(script: string): Promise<string> {
  const session = await runtime.exec(sandbox.id, { argv: ['sh', '-c', script] });
  const out = await collectOutput(session, { maxOutputBytes: 1 << 20 });
  if (out.exit.exitCode !== 0) throw new Error(`sh failed: ${out.stderr.toString()}`);
  return out.stdout.toString();
}

async function drain(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

new FilesOperationsRegistrar(registry, limits).onModuleInit();

export interface FilesRuntimeUnderTest {
  name: string;
  template: string;
  /** Why it cannot run here, if it cannot. */
  unavailable(): Promise<string | undefined>;
  start(): Promise<{ runtime: SandboxRuntime; stop(): Promise<void> }>;
}

/** The runtimes the files operations run on, each without the sandbox agent. */
export const FILES_RUNTIMES: FilesRuntimeUnderTest[] = [
  {
    name: 'local',
    template: 'base',
    unavailable: async () => undefined,
    start: async () => {
      const dataDir = await mkdtemp(join(tmpdir(), 'sbx-files-'));
      return {
        runtime: new LocalRuntime({ dataDir, isolation: 'bwrap', network: 'none' }, { warn: () => undefined }),
        stop: () => rm(dataDir, { recursive: true, force: true }),
      };
    },
  },
  {
    name: 'docker',
    template: 'base',
    unavailable: () => dockerUnavailableReason([LOCAL_IMAGES.base]),
    start: async () => ({
      runtime: new DockerRuntime(resolveDockerRuntimeOptions({}), { log: () => undefined, warn: () => undefined }),
      stop: async () => undefined,
    }),
  },
  {
    name: 'kubernetes (fake API server)',
    template: 'base',
    unavailable: () => dockerUnavailableReason([LOCAL_IMAGES.base]),
    start: async () => {
      const dir = await mkdtemp(join(tmpdir(), 'sbx-files-kube-'));
      const fake = await startFakeKube();
      fake.writeKubeconfig(join(dir, 'kubeconfig'));
      return {
        runtime: new KubernetesRuntime(resolveKubernetesRuntimeOptions({ kubeconfig: join(dir, 'kubeconfig') }), {
          log: () => undefined,
          warn: () => undefined,
        }),
        stop: async () => {
          await fake.close();
          await rm(dir, { recursive: true, force: true });
        },
      };
    },
  },
];

/** The whole files suite on each target, against a real sandbox. */
export async function describeFilesOperations(targets: FilesRuntimeUnderTest[]): Promise<void> {
  for (const target of targets) {
    const suite = (): void => {
      let stop: () => Promise<void>;
      beforeAll(async () => {
        ({ runtime, stop } = await target.start());
        sandbox = await runtime.create({
          id: randomBytes(16).toString('hex'),
          owner: 't',
          template: target.template,
          env: {},
          labels: {},
          resources: {},
          expiresAt: new Date(Date.now() + 3_600_000),
        });
      }, 60_000);

      afterAll(async () => {
        if (sandbox) await runtime.destroy(sandbox.id);
        await stop?.();
      }, 60_000);

      describe('files capability on a real sandbox', () => {
        it('registers every operation with docs, hints and an http binding', () => {
          expect([...registry.ops.keys()].sort()).toEqual(
            [
              'files.copy',
              'files.delete',
              'files.download',
              'files.edit',
              'files.glob',
              'files.grep',
              'files.list',
              'files.mkdir',
              'files.move',
              'files.read',
              'files.stat',
              'files.upload',
              'files.write',
            ].sort(),
          );
          for (const op of registry.list()) {
            expect(op.scope).toBe('sandbox');
            expect(op.summary).toBeTruthy();
            expect(op.description).toBeTruthy();
            expect(op.hints).toBeDefined();
            expect(op.http?.path).toMatch(/^files\//);
          }
        });

        it('writes and reads utf8 text, creating parent directories', async () => {
          const text = 'héllo wörld ✓\nline 2\n';
          const written = await call<{ path: string; size: number }>('files.write', {
            path: 'a/b/c/hello.txt',
            content: text,
          });
          expect(written).toEqual({ path: '/workspace/a/b/c/hello.txt', size: Buffer.byteLength(text) });
          const read = await call('files.read', { path: '/workspace/a/b/c/hello.txt' });
          expect(read).toEqual({
            path: '/workspace/a/b/c/hello.txt',
            content: text,
            encoding: 'utf8',
            size: Buffer.byteLength(text),
          });
        });

        it('round-trips binary content through base64 byte for byte', async () => {
          const bytes = Buffer.from(Array.from({ length: 256 * 4 }, (_, i) => i % 256));
          await call('files.write', {
            path: 'bin/all-bytes.bin',
            content: bytes.toString('base64'),
            encoding: 'base64',
          });
          const read = await call<{ content: string; size: number }>('files.read', {
            path: 'bin/all-bytes.bin',
            encoding: 'base64',
          });
          expect(read.size).toBe(bytes.length);
          expect(Buffer.from(read.content, 'base64').equals(bytes)).toBe(true);
          expect(await sh('sha256sum bin/all-bytes.bin | cut -d" " -f1')).toBe(
            `${createHash('sha256').update(bytes).digest('hex')}\n`,
          );
        });

        it('writes atomically: no temp files left, mode applied or preserved', async () => {
          await call('files.write', { path: 'atomic/x.sh', content: '#!/bin/sh\necho hi\n', mode: '0755' });
          await call('files.write', { path: 'atomic/x.sh', content: '#!/bin/sh\necho bye\n' });
          await call('files.write', { path: 'atomic/y.txt', content: 'y', mode: 0o600 });
          expect(await sh('ls -A atomic')).toBe('x.sh\ny.txt\n');
          expect(await sh('stat -c %a atomic/x.sh atomic/y.txt')).toBe('755\n600\n');
          expect(await sh('./atomic/x.sh')).toBe('bye\n');
        });

        it('refuses to write over a directory and leaves nothing behind', async () => {
          await call('files.mkdir', { path: 'atomic/dir' });
          const err = await failure(call('files.write', { path: 'atomic/dir', content: 'x' }));
          expect(err.status).toBe(400);
          expect(await sh('ls -A atomic')).toBe('dir\nx.sh\ny.txt\n');
        });

        it('rejects invalid base64 and over-limit content', async () => {
          expect(
            (await failure(call('files.write', { path: 'bad.bin', content: '***', encoding: 'base64' }))).status,
          ).toBe(400);
          const big = 'x'.repeat(limits.files.maxWriteBytes + 1);
          const err = await failure(call('files.write', { path: 'big.txt', content: big }));
          expect(err.status).toBe(413);
          expect(err.message).toContain(String(limits.files.maxWriteBytes));
        });

        it('lists, stats, creates directories', async () => {
          await call('files.mkdir', { path: 'tree/sub/deeper' });
          await call('files.write', { path: 'tree/one.txt', content: '1' });
          await call('files.write', { path: 'tree/sub/two.txt', content: '22' });
          await sh('ln -s one.txt tree/link');
          const flat = await call<{ entries: Array<Record<string, unknown>>; truncated: boolean }>('files.list', {
            path: 'tree',
          });
          expect(flat.truncated).toBe(false);
          expect(flat.entries.map((e) => [e.name, e.type, e.path])).toEqual([
            ['link', 'symlink', '/workspace/tree/link'],
            ['one.txt', 'file', '/workspace/tree/one.txt'],
            ['sub', 'directory', '/workspace/tree/sub'],
          ]);
          const one = flat.entries.find((e) => e.name === 'one.txt')!;
          expect(one.size).toBe(1);
          expect(Math.abs(Date.parse(one.mtime as string) - Date.now())).toBeLessThan(60_000);

          const deep = await call<{ entries: Array<{ path: string }> }>('files.list', {
            path: 'tree',
            recursive: true,
          });
          expect(deep.entries.map((e) => e.path)).toEqual([
            '/workspace/tree/link',
            '/workspace/tree/one.txt',
            '/workspace/tree/sub',
            '/workspace/tree/sub/deeper',
            '/workspace/tree/sub/two.txt',
          ]);

          const stat = await call<Record<string, unknown>>('files.stat', { path: 'tree/sub/two.txt' });
          expect(stat).toMatchObject({
            path: '/workspace/tree/sub/two.txt',
            exists: true,
            type: 'file',
            size: 2,
            mode: '0644',
          });
          expect(await call('files.stat', { path: 'tree/nope' })).toEqual({
            path: '/workspace/tree/nope',
            exists: false,
          });
          expect(await call('files.stat', { path: 'tree/sub' })).toMatchObject({ exists: true, type: 'directory' });

          expect((await failure(call('files.list', { path: 'tree/nope' }))).status).toBe(404);
          expect((await failure(call('files.list', { path: 'tree/one.txt' }))).status).toBe(400);
          expect((await failure(call('files.mkdir', { path: 'tree/sub', parents: false }))).status).toBe(409);
          expect((await failure(call('files.mkdir', { path: 'tree/x/y', parents: false }))).status).toBe(404);
          await call('files.mkdir', { path: 'tree/sub' });
        });

        it('caps listings at the entry limit', async () => {
          await sh('mkdir many && cd many && for i in $(seq 1 60); do : > f$i; done');
          const listed = await call<{ entries: unknown[]; truncated: boolean }>('files.list', { path: 'many' });
          expect(listed.entries).toHaveLength(limits.files.maxListEntries);
          expect(listed.truncated).toBe(true);
        });

        it('moves, copies and deletes with conflict handling', async () => {
          await call('files.write', { path: 'mv/a.txt', content: 'A' });
          await call('files.write', { path: 'mv/b.txt', content: 'B' });
          expect((await failure(call('files.move', { from: 'mv/a.txt', to: 'mv/b.txt' }))).status).toBe(409);
          expect(await call('files.move', { from: 'mv/a.txt', to: 'mv/new/c.txt' })).toEqual({
            from: '/workspace/mv/a.txt',
            to: '/workspace/mv/new/c.txt',
          });
          expect(await call('files.stat', { path: 'mv/a.txt' })).toMatchObject({ exists: false });
          await call('files.move', { from: 'mv/new/c.txt', to: 'mv/b.txt', overwrite: true });
          expect(await call('files.read', { path: 'mv/b.txt' })).toMatchObject({ content: 'A' });
          expect((await failure(call('files.move', { from: 'mv/missing', to: 'mv/z' }))).status).toBe(404);

          await call('files.copy', { from: 'mv/b.txt', to: 'cp/b-copy.txt' });
          expect(await call('files.read', { path: 'cp/b-copy.txt' })).toMatchObject({ content: 'A' });
          expect((await failure(call('files.copy', { from: 'mv/b.txt', to: 'cp/b-copy.txt' }))).status).toBe(409);
          await call('files.write', { path: 'mv/b.txt', content: 'A2' });
          await call('files.copy', { from: 'mv/b.txt', to: 'cp/b-copy.txt', overwrite: true });
          expect(await call('files.read', { path: 'cp/b-copy.txt' })).toMatchObject({ content: 'A2' });
          expect((await failure(call('files.copy', { from: 'tree', to: 'tree-copy' }))).status).toBe(400);
          await call('files.copy', { from: 'tree', to: 'tree-copy', recursive: true });
          expect(await sh('cd tree-copy && find . | sort')).toBe(
            '.\n./link\n./one.txt\n./sub\n./sub/deeper\n./sub/two.txt\n',
          );
          expect(await sh('readlink tree-copy/link')).toBe('one.txt\n');
          expect(await sh('ls -A cp')).toBe('b-copy.txt\n');

          expect((await failure(call('files.delete', { path: 'tree-copy' }))).status).toBe(409);
          await call('files.delete', { path: 'tree-copy/sub/deeper' });
          await call('files.delete', { path: 'tree-copy', recursive: true });
          expect(await call('files.stat', { path: 'tree-copy' })).toMatchObject({ exists: false });
          expect((await failure(call('files.delete', { path: 'tree-copy' }))).status).toBe(404);
          await call('files.delete', { path: 'cp/b-copy.txt' });
          expect((await failure(call('files.delete', { path: '.', recursive: true }))).status).toBe(403);
          expect((await failure(call('files.delete', { path: '/workspace/', recursive: true }))).status).toBe(403);
        });

        it('globs with ** and skips dotfiles unless asked', async () => {
          await sh(
            'mkdir -p g/src/deep/er g/.hidden && : > g/src/a.ts && : > g/src/deep/b.ts && : > g/src/deep/er/c.ts && : > g/src/deep/d.js && : > g/.hidden/e.ts && : > g/src/.f.ts',
          );
          const all = await call<{ cwd: string; matches: string[]; truncated: boolean }>('files.glob', {
            pattern: '**/*.ts',
            cwd: 'g',
          });
          expect(all).toEqual({
            cwd: '/workspace/g',
            matches: ['src/a.ts', 'src/deep/b.ts', 'src/deep/er/c.ts'],
            truncated: false,
          });
          const scoped = await call<{ matches: string[] }>('files.glob', { pattern: 'g/src/deep/**/*.{ts,js}' });
          expect(scoped.matches).toEqual(['g/src/deep/b.ts', 'g/src/deep/d.js', 'g/src/deep/er/c.ts']);
          const dot = await call<{ matches: string[] }>('files.glob', { pattern: '**/*.ts', cwd: 'g', dot: true });
          expect(dot.matches).toEqual(['.hidden/e.ts', 'src/.f.ts', 'src/a.ts', 'src/deep/b.ts', 'src/deep/er/c.ts']);
          const named = await call<{ matches: string[] }>('files.glob', { pattern: '.hidden/*.ts', cwd: 'g' });
          expect(named.matches).toEqual(['.hidden/e.ts']);
          expect(await call('files.glob', { pattern: 'nothing/**', cwd: 'g' })).toMatchObject({ matches: [] });
        });

        it('greps with ignoreCase, glob, maxResults; invalid regex is a 400', async () => {
          await call('files.write', { path: 'grep/a.ts', content: 'const Foo = 1;\nfoo();\nbar();\n' });
          await call('files.write', { path: 'grep/b.js', content: 'FOO\n' });
          await call('files.write', { path: 'grep/sub/c.ts', content: `${'x'.repeat(3000)}foo\n` });
          type Grep = { matches: Array<{ path: string; line: number; text: string }>; truncated: boolean };
          const cs = await call<Grep>('files.grep', { pattern: 'foo', path: 'grep' });
          expect(cs.matches.map((m) => [m.path, m.line]).sort()).toEqual([
            ['/workspace/grep/a.ts', 2],
            ['/workspace/grep/sub/c.ts', 1],
          ]);
          expect(cs.matches.find((m) => m.path.endsWith('c.ts'))!.text).toHaveLength(1000);
          expect(await call('files.grep', { pattern: 'foo', path: 'grep/a.ts' })).toEqual({
            matches: [{ path: '/workspace/grep/a.ts', line: 2, text: 'foo();' }],
            truncated: false,
          });
          const ci = await call<Grep>('files.grep', {
            pattern: 'fo+\\b',
            path: 'grep',
            ignoreCase: true,
            glob: '*.ts',
          });
          expect(ci.matches.map((m) => [m.path, m.line, m.text]).sort()).toEqual([
            ['/workspace/grep/a.ts', 1, 'const Foo = 1;'],
            ['/workspace/grep/a.ts', 2, 'foo();'],
            ['/workspace/grep/sub/c.ts', 1, expect.any(String)],
          ]);
          const capped = await call<Grep>('files.grep', {
            pattern: 'foo',
            path: 'grep',
            ignoreCase: true,
            maxResults: 2,
          });
          expect(capped.matches).toHaveLength(2);
          expect(capped.truncated).toBe(true);
          expect(await call('files.grep', { pattern: 'nomatchhere', path: 'grep' })).toEqual({
            matches: [],
            truncated: false,
          });
          const bad = await failure(call('files.grep', { pattern: 'foo(', path: 'grep' }));
          expect(bad.status).toBe(400);
          expect(bad.message).toMatch(/Invalid regular expression 'foo\(': .+/);
          expect((await failure(call('files.grep', { pattern: 'x', path: 'grep/missing' }))).status).toBe(404);
        });

        it('edits: exactly one occurrence, 409 for none or many unless replaceAll', async () => {
          await call('files.write', { path: 'edit/e.txt', content: 'one two two three\n', mode: '0640' });
          const none = await failure(call('files.edit', { path: 'edit/e.txt', oldText: 'four', newText: '4' }));
          expect(none.status).toBe(409);
          expect(none.message).toContain('oldText not found');
          const many = await failure(call('files.edit', { path: 'edit/e.txt', oldText: 'two', newText: '2' }));
          expect(many.status).toBe(409);
          expect(many.message).toContain('2 times');
          expect(await call('files.edit', { path: 'edit/e.txt', oldText: 'one', newText: '$&1' })).toEqual({
            path: '/workspace/edit/e.txt',
            replacements: 1,
          });
          expect(
            await call('files.edit', { path: 'edit/e.txt', oldText: 'two', newText: '2', replaceAll: true }),
          ).toMatchObject({
            replacements: 2,
          });
          expect(await call('files.read', { path: 'edit/e.txt' })).toMatchObject({ content: '$&1 2 2 three\n' });
          expect(await sh('stat -c %a edit/e.txt; ls -A edit')).toBe('640\ne.txt\n');
        });

        it('treats hostile file names as data, never as shell or options', async () => {
          const name = `-rf $(touch pwned) 'q"\\ \nnl.txt`;
          await call('files.write', { path: `odd/${name}`, content: 'needle\n' });
          expect(await sh('ls -A . | grep -c pwned || true')).toBe('0\n');
          const listed = await call<{ entries: Array<{ name: string; path: string }> }>('files.list', { path: 'odd' });
          expect(listed.entries.map((e) => e.name)).toEqual([name]);
          expect(await call('files.read', { path: listed.entries[0]!.path })).toMatchObject({ content: 'needle\n' });
          const grep = await call<{ matches: Array<{ path: string; line: number }> }>('files.grep', {
            pattern: 'needle',
            path: 'odd',
          });
          expect(grep.matches).toEqual([{ path: `/workspace/odd/${name}`, line: 1, text: 'needle' }]);
          expect(await call('files.glob', { pattern: '**/*.txt', cwd: 'odd' })).toMatchObject({ matches: [name] });
          await call('files.move', { from: `odd/${name}`, to: 'odd/--' });
          await call('files.copy', { from: 'odd/--', to: 'odd/-n' });
          await call('files.edit', { path: 'odd/-n', oldText: 'needle', newText: '$(reboot)' });
          expect(await call('files.read', { path: 'odd/-n' })).toMatchObject({ content: '$(reboot)\n' });
          await call('files.delete', { path: 'odd/--' });
          expect(await sh('ls -A odd')).toBe('-n\n');
          expect(await sh('ls -A . | grep -c pwned || true')).toBe('0\n');
        });

        it('follows symlinks that stay inside the workspace; delete removes only the link', async () => {
          await call('files.write', { path: 'links/target.txt', content: 'T' });
          await sh('ln -s target.txt links/alias && ln -s /workspace/links links/dirlink');
          expect(await call('files.read', { path: 'links/alias' })).toMatchObject({
            path: '/workspace/links/alias',
            content: 'T',
          });
          await call('files.write', { path: 'links/alias', content: 'T2' });
          expect(await sh('readlink links/alias; cat links/target.txt')).toBe('target.txt\nT2');
          expect(await call('files.stat', { path: 'links/alias' })).toMatchObject({
            exists: true,
            type: 'file',
            size: 2,
          });
          const via = await call<{ entries: Array<{ path: string }> }>('files.list', { path: 'links/dirlink' });
          expect(via.entries.map((e) => e.path)).toContain('/workspace/links/dirlink/target.txt');
          await call('files.delete', { path: 'links/dirlink' });
          await call('files.delete', { path: 'links/alias' });
          expect(await sh('ls -A links')).toBe('target.txt\n');
        });

        it('uploads an empty body as an empty file', async () => {
          expect(await call('files.upload', { path: 'transfer/empty' }, Readable.from([]))).toEqual({
            path: '/workspace/transfer/empty',
            size: 0,
          });
          expect(await call('files.read', { path: 'transfer/empty' })).toMatchObject({ content: '', size: 0 });
          await call('files.delete', { path: 'transfer/empty' });
        });

        it('resolves absolute paths and `..` chains in the sandbox root, as its own commands see it', async () => {
          await sh('printf tmp > /tmp/t.txt');
          for (const path of ['../../tmp/t.txt', '/tmp/t.txt', '/workspace/../tmp/t.txt', '/../../tmp/t.txt']) {
            expect(await call('files.read', { path })).toMatchObject({ path: '/tmp/t.txt', content: 'tmp' });
          }
          const passwd = await call<{ path: string; content: string }>('files.read', { path: '../../etc/passwd' });
          expect(passwd).toMatchObject({ path: '/etc/passwd', content: await sh('cat /etc/passwd') });
          expect(await call('files.copy', { from: 'mv/b.txt', to: '../../tmp/x' })).toEqual({
            from: '/workspace/mv/b.txt',
            to: '/tmp/x',
          });
          expect(await sh('cat /tmp/x')).toBe('A2');
          // The sandbox's root itself is not writable by its user, on either runtime.
          const root = await failure(call('files.write', { path: '../x', content: 'x' }));
          expect([root.status, root.message]).toEqual([403, expect.stringMatching(/^Cannot write '\/x': /)]);
          expect((await failure(call('files.read', { path: 'a\0b' }))).status).toBe(400);
        });

        it('acts through a symlink that leaves the workspace inside the sandbox; read-only places stay so', async () => {
          await sh('ln -s /etc /workspace/escape && ln -s /tmp/outside-file escape-file');
          const before = await sh('ls -A /etc | sort | sha256sum; cat /etc/passwd');
          const passwd = await sh('cat /etc/passwd');
          expect(await call('files.read', { path: 'escape/passwd' })).toMatchObject({
            path: '/workspace/escape/passwd',
            content: passwd,
          });
          expect(await call('files.stat', { path: 'escape/passwd' })).toMatchObject({ exists: true, type: 'file' });
          const listed = await call<{ entries: Array<{ path: string }> }>('files.list', { path: 'escape' });
          const inEtc = Number(await sh('ls -A /etc | wc -l'));
          expect(listed.entries).toHaveLength(Math.min(inEtc, limits.files.maxListEntries));
          expect(listed.entries.filter((e) => !e.path.startsWith('/workspace/escape/'))).toEqual([]);
          const globbed = await call<{ matches: string[] }>('files.glob', { pattern: 'escape/ld.so.conf.d/*.conf' });
          const confs = await sh('cd /etc/ld.so.conf.d && ls -1 *.conf');
          expect(globbed.matches).toEqual(
            confs
              .trim()
              .split('\n')
              .map((name) => `escape/ld.so.conf.d/${name}`),
          );
          const grep = await call<{ matches: Array<{ path: string }> }>('files.grep', {
            pattern: '^root:',
            path: 'escape/passwd',
          });
          expect(grep.matches.map((m) => m.path)).toEqual(['/workspace/escape/passwd']);
          const download = await call<BinaryBody>('files.download', { path: 'escape/passwd' });
          expect((await drain(download.stream)).toString()).toBe(passwd);
          await call('files.copy', { from: 'escape/passwd', to: 'copied-passwd' });
          expect(await sh('cat copied-passwd')).toBe(passwd);
          expect(await call('files.write', { path: 'escape-file', content: 'out' })).toEqual({
            path: '/workspace/escape-file',
            size: 3,
          });
          expect(await sh('cat /tmp/outside-file; readlink escape-file')).toBe('out/tmp/outside-file\n');

          const refused: Array<[string, Record<string, unknown>]> = [
            ['files.read', { path: 'escape' }],
            ['files.write', { path: 'escape/pwned', content: 'x' }],
            ['files.mkdir', { path: 'escape/newdir' }],
            ['files.delete', { path: 'escape/passwd' }],
            ['files.edit', { path: 'escape/passwd', oldText: 'root:', newText: 'toor:', replaceAll: true }],
            ['files.copy', { from: 'mv/b.txt', to: 'escape/planted' }],
            ['files.move', { from: 'mv/b.txt', to: 'escape/planted' }],
          ];
          for (const [id, input] of refused) {
            const err = await failure(call(id, input));
            const expected = id === 'files.read' ? 400 : 403;
            expect([id, err.status]).toEqual([id, expected]);
          }
          const upload = await failure(call('files.upload', { path: 'escape/up' }, Readable.from([Buffer.from('x')])));
          expect(upload.status).toBe(403);
          expect(await sh('ls -A /etc | sort | sha256sum; cat /etc/passwd')).toBe(before);
          expect(await call('files.read', { path: 'mv/b.txt' })).toMatchObject({ content: 'A2' });

          // The link itself is the caller's to remove; its target is untouched.
          await call('files.delete', { path: 'escape' });
          expect(await sh('test -d /etc && test ! -e /workspace/escape && echo ok')).toBe('ok\n');
          await call('files.delete', { path: 'escape-file' });
          await call('files.delete', { path: 'copied-passwd' });
        });

        it('refuses a read over the cap with a 413 naming size, limit and the raw route', async () => {
          await sh(`head -c ${limits.files.maxReadBytes + 1} /dev/zero > big.bin`);
          const err = await failure(call('files.read', { path: 'big.bin' }));
          expect(err.status).toBe(413);
          expect(err.message).toContain(String(limits.files.maxReadBytes + 1));
          expect(err.message).toContain(String(limits.files.maxReadBytes));
          expect(err.message).toContain('GET');
          expect(err.message).toContain('files/content');
          expect((await failure(call('files.read', { path: 'tree' }))).status).toBe(400);
          expect((await failure(call('files.read', { path: 'nope.txt' }))).status).toBe(404);
        });

        it('uploads and downloads a 5 MB binary byte for byte', async () => {
          const data = randomBytes(5 * 1024 * 1024);
          const chunks = Array.from({ length: 80 }, (_, i) => data.subarray(i * 65536, (i + 1) * 65536));
          const up = await call('files.upload', { path: 'transfer/blob.bin' }, Readable.from(chunks));
          expect(up).toEqual({ path: '/workspace/transfer/blob.bin', size: data.length });
          expect(await sh('ls -A transfer; sha256sum transfer/blob.bin | cut -d" " -f1')).toBe(
            `blob.bin\n${createHash('sha256').update(data).digest('hex')}\n`,
          );
          const body = await call<BinaryBody>('files.download', { path: 'transfer/blob.bin' });
          expect(body).toBeInstanceOf(BinaryBody);
          expect(body.size).toBe(data.length);
          expect(body.contentType).toBe('application/octet-stream');
          expect((await drain(body.stream)).equals(data)).toBe(true);
        });

        it('refuses an upload over the write cap and leaves the old file and no temp file', async () => {
          await call('files.write', { path: 'transfer/keep.txt', content: 'old' });
          const tooBig = Readable.from(
            (function* () {
              for (let i = 0; i < 9; i++) yield Buffer.alloc(1 << 20, i);
            })(),
          );
          const err = await failure(call('files.upload', { path: 'transfer/keep.txt' }, tooBig));
          expect(err.status).toBe(413);
          expect(err.message).toContain(String(limits.files.maxWriteBytes));
          expect(await call('files.read', { path: 'transfer/keep.txt' })).toMatchObject({ content: 'old' });
          expect(await sh('ls -A transfer')).toBe('blob.bin\nkeep.txt\n');
        });

        it('leaves no file when the upload body breaks off', async () => {
          const broken = new Readable({ read() {} });
          broken.push(Buffer.alloc(1000, 1));
          setTimeout(() => broken.destroy(new Error('client went away')), 50);
          const err = await failure(call('files.upload', { path: 'transfer/broken.bin' }, broken));
          expect(err.status).toBe(400);
          expect(err.message).toContain('cut off');
          expect(await sh('ls -A transfer')).toBe('blob.bin\nkeep.txt\n');
        });

        it('download: 404 for a missing path, 400 for a directory', async () => {
          expect((await failure(call('files.download', { path: 'transfer/none' }))).status).toBe(404);
          expect((await failure(call('files.download', { path: 'transfer' }))).status).toBe(400);
        });

        it('kills a files command that blocks once limits.files.timeoutMs passes, as a 504', async () => {
          await sh('mkfifo blocked.fifo');
          const shell = new SandboxShell(context(), { ...limits, files: { ...limits.files, timeoutMs: 500 } });
          const started = Date.now();
          const err = await failure(shell.run(['cat', 'blocked.fifo']));
          expect(err).toBeInstanceOf(TimeoutError);
          expect(err.status).toBe(504);
          expect(Date.now() - started).toBeLessThan(10_000);
        });
      });
    };
    describeWithDocker(`files capability on ${target.name}`, await target.unavailable(), suite);
  }
}
