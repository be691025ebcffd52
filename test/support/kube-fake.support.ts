import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from '@jest/globals';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { startFakeKube, type FakeKube, type FakeKubeOptions } from '@sandboxed/testing';
import { dockerUnavailableReason } from './docker-engine.support.js';

export interface KubeTarget {
  /** Why the kubernetes runtime cannot be tested here (its fake's pods are Docker containers). */
  unavailable: string | undefined;
  /** The `plugins` entry for runtime-kubernetes against this file's fake cluster. */
  plugin: { use: 'runtime-kubernetes'; options: Record<string, unknown> };
  kubeconfig: string;
  fake(): FakeKube;
  /** The pods in the sandbox namespace right now, by name, as the API server lists them. */
  podNames(): Promise<string[]>;
}

/**
 * One fake Kubernetes API server per test file (libs/testing/src/kube), started at import when
 * Docker is usable and closed (with every pod it made) after the file's tests.
 */
export async function kubeTarget(
  images?: string[],
  options: Record<string, unknown> = {},
  fakeOptions: FakeKubeOptions = {},
): Promise<KubeTarget> {
  const unavailable = await dockerUnavailableReason(images);
  const dir = mkdtempSync(join(tmpdir(), 'sandboxed-kube-'));
  const kubeconfig = join(dir, 'kubeconfig');
  let fake: FakeKube | undefined;
  if (!unavailable) {
    fake = await startFakeKube(fakeOptions);
    fake.writeKubeconfig(kubeconfig);
  }
  afterAll(async () => {
    await fake?.close();
    rmSync(dir, { recursive: true, force: true });
  }, 60_000);
  const podNames = async (): Promise<string[]> => {
    const config = new KubeConfig();
    config.loadFromString(fake!.kubeconfig());
    const list = await config.makeApiClient(CoreV1Api).listNamespacedPod({ namespace: 'sandboxed' });
    return list.items.map((p) => p.metadata!.name!);
  };
  return {
    unavailable,
    podNames,
    kubeconfig,
    plugin: { use: 'runtime-kubernetes', options: { kubeconfig, readyTimeoutMs: 30_000, ...options } },
    fake: () => {
      if (!fake) throw new Error(`no fake Kubernetes API server: ${unavailable}`);
      return fake;
    },
  };
}
