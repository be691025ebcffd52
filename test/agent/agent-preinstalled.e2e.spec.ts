import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { collectOutput, LOCAL_IMAGES, type SandboxRuntime } from '@sandboxed/plugin-sdk';
import { DockerRuntime, resolveDockerRuntimeOptions } from '@sandboxed/runtime-docker';
import { sandboxSpec } from '@sandboxed/testing';
import { describeWithDocker, dockerUnavailableReason } from '../support/docker-engine.support.js';
import { routed } from './agent-runtimes.support.js';

const quiet = { log: () => undefined, warn: () => undefined };

/** `inner`, saying its sandboxes have an agent preinstalled at `path` (as the kubernetes runtime's agentImage does). */
function withPreinstalled(inner: SandboxRuntime, path: string): SandboxRuntime {
  return new Proxy(inner, {
    get(target, prop) {
      if (prop === 'preinstalledAgentPath') return path;
      const value: unknown = Reflect.get(target, prop, target);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}

/** An "agent" of another protocol version: its hello frame says `sandboxed-agent 0` (17 bytes). */
const OLD_AGENT = [
  '#!/bin/sh',
  "printf '\\000\\000\\000\\021\\201\\000\\000\\000\\000sandboxed-agent 0'",
  'exec sleep 60',
  '',
].join('\n');

/**
 * SandboxRuntime.preinstalledAgentPath: the gateway starts the agent found there, and when that one
 * is missing (a pod made before the option) or speaks another version (a stale agent image), it
 * copies its own in as before, saying so once; per-call exec stays the last resort.
 */
describeWithDocker(
  'a preinstalled agent that is missing or of another version (docker)',
  await dockerUnavailableReason([LOCAL_IMAGES.python]),
  () => {
    let inner: SandboxRuntime;
    let id: string;

    beforeAll(async () => {
      inner = new DockerRuntime(resolveDockerRuntimeOptions({}), quiet);
      id = (await inner.create(sandboxSpec(`preinstalled-${randomBytes(4).toString('hex')}`, { template: 'python' })))
        .id;
      const write = await collectOutput(
        await inner.exec(id, { argv: ['/bin/sh', '-c', 'cat > /tmp/old-agent && chmod 0755 /tmp/old-agent'] }),
        { maxOutputBytes: 4096, stdin: OLD_AGENT },
      );
      expect(write.exit.exitCode).toBe(0);
    }, 120_000);

    afterAll(async () => {
      if (id) await inner.destroy(id);
      await inner?.close?.();
    }, 120_000);

    for (const [what, path, why] of [
      ['speaks another version', '/tmp/old-agent', /it broke the protocol: version "sandboxed-agent 0"/],
      ['is missing', '/opt/sandboxed-agent/sandbox-agent', /it exited \(code 127\)/],
    ] as const) {
      it(`copies its own agent in when the preinstalled one ${what}, and says so once`, async () => {
        const logs: string[] = [];
        const rt = routed(withPreinstalled(inner, path), logs);
        try {
          const r = await collectOutput(await rt.exec(id, { argv: ['/bin/sh', '-c', 'echo "$((6 * 7))"'] }), {
            maxOutputBytes: 4096,
          });
          expect(r.stdout.toString()).toBe('42\n');
          expect(await rt.agentServes(id)).toBe(true);
          expect(logs).toHaveLength(1);
          expect(logs[0]).toMatch(
            new RegExp(
              `^sandbox agent: the preinstalled agent ${path} in sandbox ${id} did not start \\(.*\\); copying one in$`,
            ),
          );
          expect(logs[0]).toMatch(why);
          const copied = await collectOutput(
            await rt.exec(id, { argv: ['/bin/sh', '-c', 'ls /tmp/.sandboxed-agent-* | wc -l'] }),
            { maxOutputBytes: 4096 },
          );
          expect(copied.stdout.toString()).toBe('1\n');
        } finally {
          await rt.closeAgents();
        }
      });
    }
  },
);
