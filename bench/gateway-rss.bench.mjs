import { spawn } from 'node:child_process';
import { processRssMiB, startGatewayProcess } from './gateway.harness.mjs';
import { quantiles } from './stats.mjs';

const WINDOW = 8; // samples, 250 ms apart

/**
 * Polls `read()` every 250 ms until the last WINDOW samples (2 s) lie within 1 MiB of each other, or
 * 30 s pass; the row is that window's median (p50) and largest sample (p90 column), in MiB.
 */
export async function settledRss(name, read) {
  const samples = [];
  const deadline = Date.now() + 30_000;
  for (;;) {
    samples.push(read());
    const window = samples.slice(-WINDOW);
    const settled = window.length === WINDOW && Math.max(...window) - Math.min(...window) <= 1;
    if (settled || Date.now() > deadline) {
      const at = quantiles(window);
      return {
        name: `${name}${settled ? '' : ' (not settled in 30 s)'}`,
        n: window.length,
        p50: at(0.5),
        p90: at(1),
        unit: 'MiB',
      };
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}

/**
 * The gateway's resident memory at idle: its own Node process (bench/gateway.process.mjs), VmRSS
 * from /proc/<pid>/status, after start and one sandbox.create, once it stops changing; beside an
 * idle bare Node process of the same binary, the floor any Node gateway pays.
 */
export async function benchGatewayRss(runtime, extraPlugins = []) {
  const bare = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1e9)'], { stdio: 'ignore' });
  const bareExit = new Promise((resolve) => bare.once('exit', resolve));
  let baseline;
  try {
    baseline = await settledRss('bare Node process, idle', () => processRssMiB(bare.pid));
  } finally {
    bare.kill();
    await bareExit;
  }
  const gw = await startGatewayProcess({ runtime, extraPlugins });
  try {
    await gw.json('POST', '/v1/sandboxes', runtime === 'local' ? undefined : { template: 'base' });
    const row = await settledRss(`gateway idle RSS (${runtime}, after start + 1 create, settled)`, gw.rssMiB);
    return [{ ...row, baseline }];
  } finally {
    await gw.close();
  }
}
