import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import { startBenchGateway } from './gateway.harness.mjs';
import { concurrent, measure } from './stats.mjs';

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

/** A gateway on `runtime` with the agent on or off, and one sandbox on it with exec and files calls. */
export async function sandboxOn(runtime, agent, extraPlugins) {
  const gw = await startBenchGateway({ runtime, extraPlugins, agent });
  const { id } = await gw.json('POST', '/v1/sandboxes', runtime === 'local' ? undefined : { template: 'base' });
  const exec = async () => {
    const out = await gw.json('POST', `/v1/sandboxes/${id}/exec`, { command: 'echo hi' });
    if (out.stdout !== 'hi\n') throw new Error(`unexpected output ${JSON.stringify(out)}`);
  };
  const write = (content) => gw.json('POST', `/v1/sandboxes/${id}/files/write`, { path: 'bench.txt', content });
  const read = async (size) => {
    const out = await gw.json('POST', `/v1/sandboxes/${id}/files/read`, { path: 'bench.txt' });
    if (out.content.length !== size) throw new Error(`read ${out.content.length} bytes, wrote ${size}`);
  };
  return { gw, id, exec, write, read };
}

/**
 * The agent's fast path against the runtime's per-call exec, in the same run. `floor(sandboxId)`, if
 * given, is the raw exec both paths are also set beside (local: an unisolated executor; kubernetes:
 * a raw client-node exec). Files: 1 KB and 1 MB JSON read and write.
 */
export async function benchAgent(
  runtime,
  { iterations, execIterations = iterations, extraPlugins = [], floor, title = runtime },
) {
  const rows = [];
  const on = await sandboxOn(runtime, true, extraPlugins);
  const off = await sandboxOn(runtime, false, extraPlugins);
  try {
    const label = (what, agent) => `${what} (${title}, agent ${agent ? 'on' : 'off'})`;
    const exec = 'shell.exec `echo hi` via REST';
    const perCall = await measure(label(exec, false), execIterations, off.exec);
    const fast = await measure(label(exec, true), execIterations, on.exec);
    rows.push({ ...fast, baseline: perCall });
    if (floor) {
      const raw = await floor(on.id);
      try {
        const baseline = await measure(raw.name, execIterations, raw.exec);
        rows.push({ ...fast, name: label(`${exec} vs floor`, true), baseline });
        rows.push({ ...perCall, name: label(`${exec} vs floor`, false), baseline });
      } finally {
        await raw.close();
      }
    }
    for (const clients of [8, 32]) {
      const total = iterations * 2;
      const offC = await concurrent(label('shell.exec', false), clients, total, off.exec);
      rows.push({ ...(await concurrent(label('shell.exec', true), clients, total, on.exec)), baseline: offC });
    }
    for (const [size, bytes, n] of [
      ['1 KB', 1024, iterations],
      ['1 MB', 1024 * 1024, Math.max(10, Math.floor(iterations / 4))],
    ]) {
      const content = Buffer.alloc(bytes, 'a').toString();
      const write = (s) => () => s.write(content);
      const read = (s) => () => s.read(bytes);
      const wOff = await measure(label(`files.write ${size}`, false), n, write(off));
      rows.push({ ...(await measure(label(`files.write ${size}`, true), n, write(on))), baseline: wOff });
      const rOff = await measure(label(`files.read ${size}`, false), n, read(off));
      rows.push({ ...(await measure(label(`files.read ${size}`, true), n, read(on))), baseline: rOff });
    }
  } finally {
    await on.gw.close();
    await off.gw.close();
  }
  return rows;
}

/** The local floor the issue names, as a `benchAgent` floor. */
export async function unisolatedFloor() {
  const floor = await startUnisolatedExecutor();
  return {
    name: 'unisolated executor (HTTP + /bin/sh -c)',
    exec: async () => {
      if ((await floor.exec('echo hi')).stdout !== 'hi\n') throw new Error('floor failed');
    },
    close: floor.close,
  };
}
