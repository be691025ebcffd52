import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import { startBenchGateway } from './gateway.harness.mjs';
import { measure } from './stats.mjs';

const KB = Buffer.alloc(1024, 'a').toString();

/** The floor the issue names: a plain, unisolated in-container executor (HTTP in, `/bin/sh -c` per request). */
async function startUnisolatedExecutor() {
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      const child = spawn('/bin/sh', ['-c', JSON.parse(body).command]);
      const out = [];
      child.stdout.on('data', (d) => out.push(d));
      child.on('close', (code) => {
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ stdout: Buffer.concat(out).toString(), exitCode: code }));
      });
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${server.address().port}/`;
  return {
    exec: async (command) => (await fetch(url, { method: 'POST', body: JSON.stringify({ command }) })).json(),
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

async function concurrent(name, clients, total, fn) {
  const latencies = [];
  const started = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (next++ < total) {
        const t = performance.now();
        await fn();
        latencies.push(performance.now() - t);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const at = (q) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))];
  return {
    name: `${name}, ${clients} clients (${Math.round(total / seconds)} exec/s, p99 ${at(0.99).toFixed(1)} ms)`,
    n: total,
    p50: at(0.5),
    p90: at(0.9),
  };
}

/** One gateway per path on `runtime`, agent on and off, measured in the same run. */
async function sandboxOn(runtime, agent, extraPlugins) {
  const gw = await startBenchGateway({ runtime, extraPlugins, agent });
  const { id } = await gw.json('POST', '/v1/sandboxes', runtime === 'local' ? undefined : { template: 'base' });
  const exec = async () => {
    const out = await gw.json('POST', `/v1/sandboxes/${id}/exec`, { command: 'echo hi' });
    if (out.stdout !== 'hi\n') throw new Error(`unexpected output ${JSON.stringify(out)}`);
  };
  const write = () => gw.json('POST', `/v1/sandboxes/${id}/files/write`, { path: 'bench.txt', content: KB });
  const read = async () => {
    const out = await gw.json('POST', `/v1/sandboxes/${id}/files/read`, { path: 'bench.txt' });
    if (out.content.length !== 1024) throw new Error('unexpected read');
  };
  return { gw, exec, write, read };
}

/** The agent's fast path against the runtime's per-call exec, and local against an unisolated executor. */
export async function benchAgent(iterations, runtimes = [['local', []]]) {
  const rows = [];
  for (const [runtime, extraPlugins] of runtimes) {
    const on = await sandboxOn(runtime, true, extraPlugins);
    const off = await sandboxOn(runtime, false, extraPlugins);
    try {
      const label = (what, agent) => `${what} (${runtime}, agent ${agent ? 'on' : 'off'})`;
      const perCall = await measure(label('shell.exec `echo hi` via REST', false), iterations, off.exec);
      rows.push({
        ...(await measure(label('shell.exec `echo hi` via REST', true), iterations, on.exec)),
        baseline: perCall,
      });
      if (runtime === 'local') {
        const floor = await startUnisolatedExecutor();
        const unisolated = await measure('unisolated executor (HTTP + /bin/sh -c)', iterations, async () => {
          if ((await floor.exec('echo hi')).stdout !== 'hi\n') throw new Error('floor failed');
        });
        rows.push({
          ...rows.at(-1),
          name: label('shell.exec `echo hi` via REST vs floor', true),
          baseline: unisolated,
        });
        await floor.close();
      }
      for (const clients of [8, 32]) {
        const total = iterations * 2;
        const offC = await concurrent(label('shell.exec', false), clients, total, off.exec);
        rows.push({ ...(await concurrent(label('shell.exec', true), clients, total, on.exec)), baseline: offC });
      }
      await off.write();
      await on.write();
      const wOff = await measure(label('files.write 1 KB', false), iterations, off.write);
      rows.push({ ...(await measure(label('files.write 1 KB', true), iterations, on.write)), baseline: wOff });
      const rOff = await measure(label('files.read 1 KB', false), iterations, off.read);
      rows.push({ ...(await measure(label('files.read 1 KB', true), iterations, on.read)), baseline: rOff });
    } finally {
      await on.gw.close();
      await off.gw.close();
    }
  }
  return rows;
}
