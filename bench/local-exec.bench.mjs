import { collectOutput } from '@sandboxed/plugin-sdk';
import { LocalRuntime } from '@sandboxed/runtime-local';
import { startBenchGateway } from './gateway.harness.mjs';
import { measure } from './stats.mjs';

/** `POST /exec` of `echo hi` on the local runtime over keep-alive, against a direct LocalRuntime exec. */
export async function benchLocalExec(iterations) {
  const gw = await startBenchGateway();
  try {
    const { id } = await gw.json('POST', '/v1/sandboxes');
    const rest = await measure('shell.exec `echo hi` via REST (local)', iterations, async () => {
      const out = await gw.json('POST', `/v1/sandboxes/${id}/exec`, { command: 'echo hi' });
      if (out.stdout !== 'hi\n') throw new Error(`unexpected output ${JSON.stringify(out)}`);
    });
    // Baseline: a LocalRuntime on the same data dir, called directly (no HTTP, no kernel).
    const direct = new LocalRuntime({ dataDir: gw.localDataDir, isolation: 'bwrap', network: 'none' });
    const baseline = await measure('LocalRuntime.exec direct', iterations, async () => {
      const s = await direct.exec(id, { argv: ['/bin/sh', '-c', 'echo hi'] });
      const out = await collectOutput(s, { maxOutputBytes: 1024 });
      if (out.stdout.toString() !== 'hi\n') throw new Error('unexpected output');
    });
    await gw.json('DELETE', `/v1/sandboxes/${id}`);
    return [{ ...rest, baseline }];
  } finally {
    await gw.close();
  }
}
