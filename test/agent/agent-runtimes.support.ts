import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AgentRoutedRuntime, ensureAgentBinary } from '@sandboxed/agent';
import { LOCAL_IMAGES, type SandboxRuntime } from '@sandboxed/plugin-sdk';
import { DockerRuntime, resolveDockerRuntimeOptions } from '@sandboxed/runtime-docker';
import { KubernetesRuntime, resolveKubernetesRuntimeOptions } from '@sandboxed/runtime-kubernetes';
import { LocalRuntime } from '@sandboxed/runtime-local';
import { startFakeKube, type FakeKube } from '@sandboxed/testing';

const quiet = { log: () => undefined, warn: () => undefined };
const cacheDir = mkdtempSync(join(tmpdir(), 'sbx-agent-bin-'));

/** The agent around `inner`; `fallbacks` collects every line saying an exec took the runtime's own path. */
export function routed(inner: SandboxRuntime, fallbacks: string[] = [], idleMs = 0): AgentRoutedRuntime {
  return new AgentRoutedRuntime(inner, {
    binary: () => ensureAgentBinary(cacheDir),
    idleMs,
    log: (line) => fallbacks.push(line),
  });
}

export interface RuntimeUnderTest {
  name: string;
  template: string;
  create(): Promise<SandboxRuntime>;
  cleanup(): Promise<void>;
}

export function localRuntime(): RuntimeUnderTest {
  const dir = mkdtempSync(join(tmpdir(), 'sbx-agent-local-'));
  return {
    name: 'local',
    template: 'base',
    create: async () => new LocalRuntime({ dataDir: dir, isolation: 'bwrap', network: 'none' }, quiet),
    cleanup: async () => rmSync(dir, { recursive: true, force: true }),
  };
}

export function dockerRuntime(): RuntimeUnderTest {
  return {
    name: 'docker',
    template: 'python',
    create: async () => new DockerRuntime(resolveDockerRuntimeOptions({}), quiet),
    cleanup: async () => undefined,
  };
}

/** `options`: more runtime-kubernetes options (e.g. agentImage). */
export function kubernetesRuntime(options: Record<string, unknown> = {}): RuntimeUnderTest {
  const dir = mkdtempSync(join(tmpdir(), 'sbx-agent-kube-'));
  const kubeconfig = join(dir, 'kubeconfig');
  let fake: FakeKube | undefined;
  return {
    name: 'kubernetes',
    template: 'python',
    create: async () => {
      fake ??= await startFakeKube();
      fake.writeKubeconfig(kubeconfig);
      return new KubernetesRuntime(resolveKubernetesRuntimeOptions({ kubeconfig, ...options }), quiet);
    },
    cleanup: async () => {
      await fake?.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export const CONTAINER_IMAGES = [LOCAL_IMAGES.base, LOCAL_IMAGES.python];
