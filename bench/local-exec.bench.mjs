import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { collectOutput } from '@sandboxed/plugin-sdk';
import { createGateway, loadConfig } from '@sandboxed/kernel';
import { LocalRuntime } from '@sandboxed/runtime-local';
import { measure } from './stats.mjs';

/** `POST /exec` of `echo hi` on the local runtime over keep-alive (fetch's default agent), against a direct LocalRuntime exec. */
export async function benchLocalExec(iterations) {
  const dataDir = mkdtempSync(join(tmpdir(), 'sandboxed-bench-'));
  const base = loadConfig({ env: {} });
  const config = loadConfig({
    env: {},
    overrides: {
      server: { port: 0 },
      log: { level: 'error' },
      plugins: base.plugins.map((p) => (p.use === 'runtime-local' ? { ...p, options: { ...p.options, dataDir } } : p)),
    },
  });
  const gateway = await createGateway({ config, version: 'bench' });
  try {
    const created = await fetch(`${gateway.url}/v1/sandboxes`, { method: 'POST' });
    const { id } = await created.json();
    const body = JSON.stringify({ command: 'echo hi' });
    const rest = await measure('REST POST /exec `echo hi` (local)', iterations, async () => {
      const res = await fetch(`${gateway.url}/v1/sandboxes/${id}/exec`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
      });
      const out = await res.json();
      if (out.stdout !== 'hi\n') throw new Error(`unexpected output ${JSON.stringify(out)}`);
    });
    // Baseline: the same runtime, called directly (no HTTP, no kernel).
    const direct = new LocalRuntime({ dataDir, isolation: 'bwrap', network: 'none' });
    const baseline = await measure('LocalRuntime.exec direct', iterations, async () => {
      const s = await direct.exec(id, { argv: ['/bin/sh', '-c', 'echo hi'] });
      const out = await collectOutput(s, { maxOutputBytes: 1024 });
      if (out.stdout.toString() !== 'hi\n') throw new Error('unexpected output');
    });
    await fetch(`${gateway.url}/v1/sandboxes/${id}`, { method: 'DELETE' });
    return [{ ...rest, baseline }];
  } finally {
    await gateway.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
