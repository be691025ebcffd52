import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import type { AgentRoutedRuntime } from '@sandboxed/agent';
import { filesOperations } from '@sandboxed/capability-files';
import {
  collectOutput,
  type Limits,
  type SandboxInfo,
  type SandboxOperationContext,
  type SandboxRuntime,
} from '@sandboxed/plugin-sdk';
import { DockerRuntime, resolveDockerRuntimeOptions } from '@sandboxed/runtime-docker';
import { sandboxSpec } from '@sandboxed/testing';
import { describeWithDocker, dockerUnavailableReason } from '../support/docker-engine.support.js';
import { CONTAINER_IMAGES, routed } from './agent-runtimes.support.js';
import { buildShellOnlyImage } from './shell-only.image.js';

const quiet = { log: () => undefined, warn: () => undefined };
const limits: Limits = {
  exec: { timeoutMs: 30_000, maxTimeoutMs: 120_000, maxOutputBytes: 1 << 20 },
  files: { maxReadBytes: 1 << 20, maxWriteBytes: 8 << 20, maxListEntries: 50, timeoutMs: 30_000 },
  sandbox: { defaultTtlSeconds: 3600, maxTtlSeconds: 86400 },
};
const FILE_OPS = new Map(filesOperations(limits).map((op) => [op.id, op]));

describeWithDocker(
  'sandbox agent in an image with only /bin/sh (docker)',
  await dockerUnavailableReason(CONTAINER_IMAGES),
  () => {
    let inner: SandboxRuntime;
    let runtime: AgentRoutedRuntime;
    const fallbacks: string[] = [];
    let id: string;
    let info: SandboxInfo;

    const files = async (op: string, input: Record<string, unknown>): Promise<any> => {
      const ctx: SandboxOperationContext = {
        principal: { id: 't', scopes: ['*'] },
        signal: new AbortController().signal,
        logger: { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined },
        sandbox: info,
        runtime,
      };
      const handler = FILE_OPS.get(`files.${op}`)!.handler as (c: SandboxOperationContext, i: object) => unknown;
      return handler(ctx, input);
    };

    beforeAll(async () => {
      const image = buildShellOnlyImage();
      inner = new DockerRuntime(resolveDockerRuntimeOptions({ templates: { shonly: { image } } }), quiet);
      runtime = routed(inner, fallbacks);
      info = await runtime.create(sandboxSpec(`sh-only-${randomBytes(4).toString('hex')}`, { template: 'shonly' }));
      id = info.id;
    }, 120_000);

    afterAll(async () => {
      if (id) await runtime.destroy(id);
      await inner?.close?.();
    }, 120_000);

    it('runs commands through the agent, not the fallback', async () => {
      const probe = await inner.exec(id, { argv: ['/bin/sh', '-c', 'command -v tar cat python3 node || echo none'] });
      expect((await collectOutput(probe, { maxOutputBytes: 4096 })).stdout.toString()).toBe('none\n');
      const r = await collectOutput(
        await runtime.exec(id, { argv: ['/bin/sh', '-c', 'echo "$((6 * 7)) from $0"; read -r l; echo "got $l"'] }),
        { maxOutputBytes: 4096, stdin: 'piped\n' },
      );
      expect(r.stdout.toString()).toBe('42 from /bin/sh\ngot piped\n');
      expect(await runtime.agentServes(id)).toBe(true);
      expect(fallbacks).toEqual([]);
    });

    it('runs a tty command through the agent', async () => {
      const r = await collectOutput(
        await runtime.exec(id, { argv: ['/bin/sh', '-c', 'test -t 1 && echo tty'], tty: true }),
        { maxOutputBytes: 4096 },
      );
      expect(r.stdout.toString()).toContain('tty');
    });

    it('serves the files operations with its built-ins: the image has no realpath, find, grep, cat or mkdir', async () => {
      const probe = await inner.exec(id, {
        argv: ['/bin/sh', '-c', 'command -v realpath find grep mkdir mv cp rm || echo none'],
      });
      expect((await collectOutput(probe, { maxOutputBytes: 4096 })).stdout.toString()).toBe('none\n');
      const ws = info.workdir;
      expect(await files('write', { path: 'src/a.txt', content: 'hello\n' })).toEqual({
        path: `${ws}/src/a.txt`,
        size: 6,
      });
      expect(await files('read', { path: 'src/a.txt' })).toMatchObject({ content: 'hello\n', size: 6 });
      expect(await files('stat', { path: 'src/a.txt' })).toMatchObject({ exists: true, type: 'file', size: 6 });
      expect(await files('mkdir', { path: 'deep/er' })).toEqual({ path: `${ws}/deep/er` });
      await files('copy', { from: 'src', to: 'copied', recursive: true });
      await files('move', { from: 'copied/a.txt', to: 'deep/er/b.txt' });
      expect(
        (await files('list', { path: '.', recursive: true })).entries.map((e: { path: string }) => e.path),
      ).toEqual([`${ws}/copied`, `${ws}/deep`, `${ws}/deep/er`, `${ws}/deep/er/b.txt`, `${ws}/src`, `${ws}/src/a.txt`]);
      expect((await files('glob', { pattern: '**/*.txt' })).matches).toEqual(['deep/er/b.txt', 'src/a.txt']);
      expect((await files('grep', { pattern: 'h\\w+o$' })).matches).toEqual([
        { path: `${ws}/deep/er/b.txt`, line: 1, text: 'hello' },
        { path: `${ws}/src/a.txt`, line: 1, text: 'hello' },
      ]);
      await files('delete', { path: 'deep', recursive: true });
      expect(await files('stat', { path: 'deep' })).toEqual({ path: `${ws}/deep`, exists: false });
      expect(fallbacks).toEqual([]);
    });
  },
);
