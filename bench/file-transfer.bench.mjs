import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Docker from 'dockerode';
import { sandboxOn } from './agent.bench.mjs';
import { sandboxContainer } from './docker-rest.bench.mjs';
import { measure } from './stats.mjs';

const BYTES = 100_000_000; // 100 MB (decimal, so MB/s is bytes / 1e6 per second), under limits.files.maxWriteBytes

/** Runs the docker CLI; resolves with the byte count of its stdout. */
function dockerCli(args) {
  return new Promise((resolve, reject) => {
    const child = spawn('docker', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let bytes = 0;
    let err = '';
    child.stdout.on('data', (c) => (bytes += c.length));
    child.stderr.on('data', (c) => (err += c));
    child.once('error', reject);
    child.once('close', (code) => (code === 0 ? resolve(bytes) : reject(new Error(`docker ${args[0]}: ${err}`))));
  });
}

const rate = (row) => ({ ...row, name: `${row.name} (${(BYTES / 1e6 / (row.p50 / 1000)).toFixed(0)} MB/s at p50)` });

async function dockerCp(container, file, iterations) {
  const opts = { warmup: 1 };
  const up = await measure(
    'docker cp 100 MB into the container (CLI)',
    iterations,
    () => dockerCli(['cp', file, `${container}:/workspace/cp.bin`]),
    opts,
  );
  const down = await measure(
    'docker cp 100 MB out of the container (CLI, tar to stdout)',
    iterations,
    async () => {
      const bytes = await dockerCli(['cp', `${container}:/workspace/cp.bin`, '-']);
      if (bytes < BYTES) throw new Error(`docker cp gave ${bytes} bytes`);
    },
    opts,
  );
  return { up, down };
}

/**
 * A 100 MB upload (PUT files/content) and download (GET files/content) through REST on docker, agent
 * on and off, beside the docker CLI's `docker cp` of the same file into and out of the same sandbox's
 * container (`docker cp FILE c:/workspace/`, and `docker cp c:FILE -`, a tar on stdout counted and dropped).
 */
export async function benchFileTransfer(iterations) {
  const docker = new Docker();
  const dir = mkdtempSync(join(tmpdir(), 'sandboxed-bench-transfer-'));
  const file = join(dir, 'cp.bin');
  const data = Buffer.alloc(BYTES, 7);
  writeFileSync(file, data);
  const rows = [];
  const sandboxes = [];
  const opts = { warmup: 1 };
  let cp;
  try {
    for (const agent of [true, false]) {
      const sb = await sandboxOn('docker', agent, [{ use: 'runtime-docker' }]);
      sandboxes.push(sb);
      const base = `${sb.gw.url}/v1/sandboxes/${sb.id}/files/content?path=`;
      const tag = `(docker, agent ${agent ? 'on' : 'off'})`;
      if (!cp) {
        // The engine's own copy does not depend on the agent: measured once, in the first sandbox.
        cp = await dockerCp((await sandboxContainer(docker, sb.id)).id, file, iterations);
        // tmpfs disks count against the sandbox's memory: one copy of the file at a time.
        await sb.gw.json('POST', `/v1/sandboxes/${sb.id}/files/delete`, { path: 'cp.bin' });
      }
      const up = await measure(
        `PUT files/content 100 MB via REST ${tag}`,
        iterations,
        async () => {
          const res = await fetch(`${base}rest.bin`, {
            method: 'PUT',
            headers: { 'content-type': 'application/octet-stream' },
            body: data,
          });
          const out = await res.json();
          if (res.status !== 200 || out.size !== BYTES) throw new Error(`upload: ${res.status} ${JSON.stringify(out)}`);
        },
        opts,
      );
      const down = await measure(
        `GET files/content 100 MB via REST ${tag}`,
        iterations,
        async () => {
          const res = await fetch(`${base}rest.bin`);
          let bytes = 0;
          for await (const chunk of res.body) bytes += chunk.length;
          if (res.status !== 200 || bytes !== BYTES) throw new Error(`download: ${res.status}, ${bytes} bytes`);
        },
        opts,
      );
      rows.push({ ...rate(up), baseline: rate(cp.up) }, { ...rate(down), baseline: rate(cp.down) });
    }
  } finally {
    for (const sb of sandboxes) await sb.gw.close();
    rmSync(dir, { recursive: true, force: true });
  }
  return rows;
}
