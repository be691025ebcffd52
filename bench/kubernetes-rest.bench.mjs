import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { createKubeClient, podName } from '@sandboxed/runtime-kubernetes';
// The fake's own module: the package index also loads jest helpers.
import { startFakeKube } from '../libs/testing/dist/kube/fake-kube.server.js';
import { benchAgent } from './agent.bench.mjs';
import { startBenchGateway } from './gateway.harness.mjs';
import { measure } from './stats.mjs';

const NAMESPACE = 'sandboxed'; // runtime-kubernetes' default
const CONTAINER = 'sandbox'; // the sandbox pod's one container

/** A raw `@kubernetes/client-node` Exec of `echo hi` into the sandbox's own pod, through the same fake. */
function rawKubeFloor(kubeconfig) {
  const { exec } = createKubeClient({ kubeconfig });
  return async (id) => ({
    name: 'raw @kubernetes/client-node Exec (fake API)',
    exec: async () => {
      const out = [];
      const sink = (chunks) => new Writable({ write: (c, _e, done) => (chunks.push(c), done()) });
      let status;
      const ws = await exec.exec(
        NAMESPACE,
        podName(id),
        CONTAINER,
        ['echo', 'hi'],
        sink(out),
        sink([]),
        null,
        false,
        (s) => {
          status = s;
        },
      );
      if (ws.readyState !== ws.CLOSED) await new Promise((resolve) => ws.once('close', resolve));
      if (Buffer.concat(out).toString() !== 'hi\n' || status?.status !== 'Success') {
        throw new Error(`raw exec failed: ${JSON.stringify(status)}`);
      }
    },
    close: async () => undefined,
  });
}

/**
 * REST on the kubernetes runtime against the fake API server (its pods are Docker containers):
 * agent on and off beside a raw client-node Exec and each other (benchAgent), and beside the docker
 * runtime's rows from the same run: what the API server hop, the watch for readiness and the
 * channel protocol cost on top of the same engine.
 */
export async function benchKubernetesRest({ iterations, execIterations, creates, dockerRows }) {
  const dir = mkdtempSync(join(tmpdir(), 'sandboxed-bench-kube-'));
  const kubeconfig = join(dir, 'kubeconfig');
  const fake = await startFakeKube();
  fake.writeKubeconfig(kubeconfig);
  const extraPlugins = [{ use: 'runtime-kubernetes', options: { kubeconfig } }];
  const title = 'kubernetes, fake API';
  const baseline = (name) => dockerRows.find((r) => r.name === name);
  const rows = [];
  try {
    const agentRows = await benchAgent('kubernetes', {
      iterations,
      execIterations,
      extraPlugins,
      title,
      floor: rawKubeFloor(kubeconfig),
    });
    const onRow = agentRows.find((r) => r.name === `shell.exec \`echo hi\` via REST (${title}, agent on)`);
    rows.push({
      ...onRow,
      name: `${onRow.name} vs docker`,
      baseline: baseline('shell.exec `echo hi` via REST (docker)'),
    });
    rows.push(...agentRows);

    const gw = await startBenchGateway({ runtime: 'kubernetes', extraPlugins });
    try {
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
    }
  } finally {
    await fake.close();
    rmSync(dir, { recursive: true, force: true });
  }
  return rows;
}
