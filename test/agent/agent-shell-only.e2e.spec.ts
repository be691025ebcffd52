import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import type { AgentRoutedRuntime } from '@sandboxed/agent';
import { collectOutput, type SandboxRuntime } from '@sandboxed/plugin-sdk';
import { DockerRuntime, resolveDockerRuntimeOptions } from '@sandboxed/runtime-docker';
import { sandboxSpec } from '@sandboxed/testing';
import { describeWithDocker, dockerUnavailableReason } from '../support/docker-engine.support.js';
import { CONTAINER_IMAGES, routed } from './agent-runtimes.support.js';
import { buildShellOnlyImage } from './shell-only.image.js';

const quiet = { log: () => undefined, warn: () => undefined };

describeWithDocker(
  'sandbox agent in an image with only /bin/sh (docker)',
  await dockerUnavailableReason(CONTAINER_IMAGES),
  () => {
    let inner: SandboxRuntime;
    let runtime: AgentRoutedRuntime;
    const fallbacks: string[] = [];
    let id: string;

    beforeAll(async () => {
      const image = buildShellOnlyImage();
      inner = new DockerRuntime(resolveDockerRuntimeOptions({ templates: { shonly: { image } } }), quiet);
      runtime = routed(inner, fallbacks);
      id = (await runtime.create(sandboxSpec(`sh-only-${randomBytes(4).toString('hex')}`, { template: 'shonly' }))).id;
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
  },
);
