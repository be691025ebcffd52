import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from '@jest/globals';
import { LOCAL_IMAGES } from '@sandboxed/plugin-sdk';
import { runtimeConformanceSuite, startFakeKube, type FakeKube } from '@sandboxed/testing';
import { describeWithDocker, dockerUnavailableReason } from '../../../test/support/docker-engine.support.js';
import { KubernetesRuntime } from './kubernetes.runtime.js';
import { resolveKubernetesRuntimeOptions } from './kubernetes-runtime-options.dto.js';

const quiet = { log: () => undefined, warn: () => undefined };

describeWithDocker(
  'KubernetesRuntime against the fake API server',
  await dockerUnavailableReason([LOCAL_IMAGES.base, LOCAL_IMAGES.python]),
  () => {
    const dir = mkdtempSync(join(tmpdir(), 'sbx-kube-conformance-'));
    const kubeconfig = join(dir, 'kubeconfig');
    let fake: FakeKube;
    beforeAll(async () => {
      fake = await startFakeKube();
      fake.writeKubeconfig(kubeconfig);
    });
    afterAll(async () => {
      await fake?.close();
      rmSync(dir, { recursive: true, force: true });
    }, 60_000);

    const newRuntime = (): KubernetesRuntime =>
      new KubernetesRuntime(resolveKubernetesRuntimeOptions({ kubeconfig }), quiet);
    // The suite's connect test serves with `python3 -m http.server`, so it runs on the python template.
    runtimeConformanceSuite('kubernetes (fake API server)', {
      create: async () => newRuntime(),
      restart: async () => newRuntime(),
      spec: { template: 'python' },
    });
  },
);
