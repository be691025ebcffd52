import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
// The fake's own module: the package index also loads jest helpers.
import { startFakeKube } from '../libs/testing/dist/kube/fake-kube.server.js';
import { startBenchGateway } from './gateway.harness.mjs';
import { measure } from './stats.mjs';

/**
 * REST on the kubernetes runtime against the fake API server (its pods are Docker containers),
 * beside the docker runtime's rows from the same run: what the API server hop, the watch for
 * readiness and the channel protocol cost on top of the same engine.
 */
export async function benchKubernetesRest(iterations, creates, dockerRows) {
  const dir = mkdtempSync(join(tmpdir(), 'sandboxed-bench-kube-'));
  const kubeconfig = join(dir, 'kubeconfig');
  const fake = await startFakeKube();
  fake.writeKubeconfig(kubeconfig);
  const gw = await startBenchGateway({
    runtime: 'kubernetes',
    extraPlugins: [{ use: 'runtime-kubernetes', options: { kubeconfig } }],
  });
  const baseline = (name) => dockerRows.find((r) => r.name === name);
  const rows = [];
  try {
    const { id } = await gw.json('POST', '/v1/sandboxes', { template: 'base' });
    const exec = await measure('shell.exec `echo hi` via REST (kubernetes, fake API)', iterations, async () => {
      const out = await gw.json('POST', `/v1/sandboxes/${id}/exec`, { command: 'echo hi' });
      if (out.stdout !== 'hi\n') throw new Error(`unexpected output ${JSON.stringify(out)}`);
    });
    rows.push({ ...exec, baseline: baseline('shell.exec `echo hi` via REST (docker)') });
    await gw.json('DELETE', `/v1/sandboxes/${id}`);
    const created = [];
    const create = await measure(
      'sandbox.create to Ready via REST (kubernetes, fake API)',
      creates,
      async () => created.push((await gw.json('POST', '/v1/sandboxes', { template: 'base' })).id),
      { warmup: 1 },
    );
    rows.push({ ...create, baseline: baseline('sandbox.create via REST (docker)') });
    for (const sid of created) await gw.json('DELETE', `/v1/sandboxes/${sid}`);
  } finally {
    await gw.close();
    await fake.close();
    rmSync(dir, { recursive: true, force: true });
  }
  return rows;
}
