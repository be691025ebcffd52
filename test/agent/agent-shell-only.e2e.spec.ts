import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { agentSourceHash, type AgentRoutedRuntime } from '@sandboxed/agent';
import { filesOperations } from '@sandboxed/capability-files';
import {
  collectOutput,
  LOCAL_IMAGES,
  type Limits,
  type SandboxInfo,
  type SandboxOperationContext,
  type SandboxRuntime,
} from '@sandboxed/plugin-sdk';
import { DockerRuntime, resolveDockerRuntimeOptions } from '@sandboxed/runtime-docker';
import { KubernetesRuntime, resolveKubernetesRuntimeOptions } from '@sandboxed/runtime-kubernetes';
import { sandboxSpec, startFakeKube, type FakeKube } from '@sandboxed/testing';
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
/** The agent image scripts/build-images.sh builds for this source (CI builds it; locally: `npm run images:local -- agent`). */
const AGENT_IMAGE = `sandboxed/agent:${await agentSourceHash()}`;
const run = async (rt: SandboxRuntime, id: string, script: string, stdin?: string) =>
  collectOutput(await rt.exec(id, { argv: ['/bin/sh', '-c', script] }), {
    maxOutputBytes: 4096,
    ...(stdin !== undefined ? { stdin } : {}),
  });

/** Calls a files operation's handler on one sandbox, as the kernel would after validation. */
function filesOn(runtime: SandboxRuntime, sandbox: SandboxInfo) {
  return async (op: string, input: Record<string, unknown>): Promise<any> => {
    const ctx: SandboxOperationContext = {
      principal: { id: 't', scopes: ['*'] },
      signal: new AbortController().signal,
      logger: { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined },
      sandbox,
      runtime,
    };
    const handler = FILE_OPS.get(`files.${op}`)!.handler as (c: SandboxOperationContext, i: object) => unknown;
    return handler(ctx, input);
  };
}

/**
 * Every files operation under `dir`, in an image with no realpath, find, grep, mkdir, mv, cp, rm or
 * cat: only the agent's built-ins can answer (the scripts would find none of those programs).
 */
async function exerciseFiles(inner: SandboxRuntime, runtime: SandboxRuntime, sandbox: SandboxInfo, dir: string) {
  const probe = await inner.exec(sandbox.id, {
    argv: ['/bin/sh', '-c', 'command -v realpath find grep mkdir mv cp rm cat || echo none'],
  });
  expect((await collectOutput(probe, { maxOutputBytes: 4096 })).stdout.toString()).toBe('none\n');
  const files = filesOn(runtime, sandbox);
  expect(await files('write', { path: `${dir}/src/a.txt`, content: 'hello\n' })).toEqual({
    path: `${dir}/src/a.txt`,
    size: 6,
  });
  expect(await files('read', { path: `${dir}/src/a.txt` })).toMatchObject({ content: 'hello\n', size: 6 });
  expect(await files('stat', { path: `${dir}/src/a.txt` })).toMatchObject({ exists: true, type: 'file', size: 6 });
  expect(await files('mkdir', { path: `${dir}/deep/er` })).toEqual({ path: `${dir}/deep/er` });
  await files('copy', { from: `${dir}/src`, to: `${dir}/copied`, recursive: true });
  await files('move', { from: `${dir}/copied/a.txt`, to: `${dir}/deep/er/b.txt` });
  const listed = await files('list', { path: dir, recursive: true });
  expect(listed.entries.map((e: { path: string }) => e.path)).toEqual(
    ['copied', 'deep', 'deep/er', 'deep/er/b.txt', 'src', 'src/a.txt'].map((p) => `${dir}/${p}`),
  );
  expect((await files('glob', { cwd: dir, pattern: '**/*.txt' })).matches).toEqual(['deep/er/b.txt', 'src/a.txt']);
  expect((await files('grep', { path: dir, pattern: 'h\\w+o$' })).matches).toEqual([
    { path: `${dir}/deep/er/b.txt`, line: 1, text: 'hello' },
    { path: `${dir}/src/a.txt`, line: 1, text: 'hello' },
  ]);
  await files('delete', { path: `${dir}/deep`, recursive: true });
  expect(await files('stat', { path: `${dir}/deep` })).toEqual({ path: `${dir}/deep`, exists: false });
}

describeWithDocker(
  'sandbox agent in an image with only /bin/sh (docker)',
  await dockerUnavailableReason(CONTAINER_IMAGES),
  () => {
    let inner: SandboxRuntime;
    let runtime: AgentRoutedRuntime;
    const fallbacks: string[] = [];
    let id: string;
    let info: SandboxInfo;

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

    it('serves the files operations with its built-ins: the image has no realpath, find, grep or cat', async () => {
      await exerciseFiles(inner, runtime, info, info.workdir);
      expect(fallbacks).toEqual([]);
    });
  },
);

describeWithDocker(
  'sandbox agent in an image with only /bin/sh (kubernetes fake, agentImage)',
  await dockerUnavailableReason([...CONTAINER_IMAGES, AGENT_IMAGE]),
  () => {
    let fake: FakeKube;
    let dir: string;
    let kubeconfig: string;
    let image: string;
    const runtimes: KubernetesRuntime[] = [];
    const sandboxes: Array<[SandboxRuntime, string]> = [];

    /** A kubernetes runtime on the fake (with or without agentImage), wrapped by the agent, and a sandbox on it. */
    async function sandbox(
      agentImage?: string,
    ): Promise<{ inner: SandboxRuntime; rt: AgentRoutedRuntime; id: string; info: SandboxInfo; logs: string[] }> {
      const templates = { shonly: { image } };
      const options = resolveKubernetesRuntimeOptions({ kubeconfig, templates, ...(agentImage ? { agentImage } : {}) });
      const inner = new KubernetesRuntime(options, quiet);
      runtimes.push(inner);
      const logs: string[] = [];
      const rt = routed(inner, logs);
      const info = await rt.create(sandboxSpec(`sh-only-${randomBytes(4).toString('hex')}`, { template: 'shonly' }));
      sandboxes.push([rt, info.id]);
      return { inner, rt, id: info.id, info, logs };
    }

    beforeAll(async () => {
      image = buildShellOnlyImage({ tiniFrom: LOCAL_IMAGES.base });
      fake = await startFakeKube();
      dir = mkdtempSync(join(tmpdir(), 'sbx-sh-only-kube-'));
      kubeconfig = join(dir, 'kubeconfig');
      fake.writeKubeconfig(kubeconfig);
    }, 120_000);

    afterAll(async () => {
      for (const [rt, id] of sandboxes) await rt.destroy(id);
      for (const r of runtimes) await r.close();
      await fake?.close();
      if (dir) rmSync(dir, { recursive: true, force: true });
    }, 120_000);

    it('runs commands through the agent its init container installed, not the fallback', async () => {
      const { inner, rt, id, logs } = await sandbox(AGENT_IMAGE);
      expect((await run(inner, id, 'command -v tar cat python3 node || echo none')).stdout.toString()).toBe('none\n');
      const r = await run(rt, id, 'echo "$((6 * 7)) from $0"; read -r l; echo "got $l"', 'piped\n');
      expect(r.stdout.toString()).toBe('42 from /bin/sh\ngot piped\n');
      expect(await rt.agentServes(id)).toBe(true);
      expect(logs).toEqual([]);
      // The agent that answered is the preinstalled one: nothing was copied into /tmp, and the
      // sandbox cannot replace it (its volume is read-only there).
      const where = await run(
        rt,
        id,
        '[ -x /opt/sandboxed-agent/sandbox-agent ] && echo installed; for f in /tmp/.sandboxed-agent-*; do [ -e "$f" ] && echo copied; done; : > /opt/sandboxed-agent/sandbox-agent',
      );
      expect(where.stdout.toString()).toBe('installed\n');
      expect(where.stderr.toString()).toContain('Read-only file system');
      const tty = await collectOutput(
        await rt.exec(id, { argv: ['/bin/sh', '-c', 'test -t 1 && echo tty'], tty: true }),
        {
          maxOutputBytes: 4096,
        },
      );
      expect(tty.stdout.toString()).toContain('tty');
    }, 120_000);

    it('serves the files operations with the built-ins of the agent its init container installed', async () => {
      const { inner, rt, info, logs } = await sandbox(AGENT_IMAGE);
      // /tmp: the fake leaves this image's /workspace root-owned (it has no chmod to open it up).
      await exerciseFiles(inner, rt, info, '/tmp/files');
      expect(await rt.agentServes(info.id)).toBe(true);
      expect(logs).toEqual([]);
    }, 120_000);

    it('an agent image the cluster cannot pull fails the create at once, naming the image and the option, and leaves no pod', async () => {
      const err = (await sandbox('sandboxed/agent:not-built').then(
        () => undefined,
        (e: unknown) => e,
      )) as { code?: string; message?: string };
      expect(err.code).toBe('unavailable');
      expect(err.message).toMatch(/could not start: (ErrImagePull|ImagePullBackOff): init container install-agent: /);
      expect(err.message).toContain('(the agent image sandboxed/agent:not-built, option agentImage: push it where');
      expect(err.message).toContain('the pod was deleted');
      // The namespace holds the other tests' sandboxes only.
      const listed = (await runtimes[runtimes.length - 1]!.list()).map((i) => i.id);
      expect(listed.sort()).toEqual(sandboxes.map(([, sid]) => sid).sort());
    }, 120_000);

    it('without agentImage the same image cannot take the agent (no tar): per-call exec, and one log line says so', async () => {
      const { rt, id, logs } = await sandbox();
      expect((await run(rt, id, 'echo "$((6 * 7))"')).stdout.toString()).toBe('42\n');
      expect(await rt.agentServes(id)).toBe(false);
      expect(logs).toHaveLength(1);
      expect(logs[0]).toMatch(new RegExp(`^sandbox agent: cannot start in sandbox ${id} .*; it uses per-call exec$`));
    }, 120_000);
  },
);
