import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '@sandboxed/kernel';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..');
const MAIN = 'apps/gateway/dist/main.js';
const MB = 1024 * 1024;

/** The Node flags `npm start` runs the gateway with, read from package.json so the bench measures the same process. */
export function startNodeFlags() {
  const start = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')).scripts.start;
  const m = new RegExp(`\\bnode((?: --[\\w-]+(?:=\\S+)?)*) ${MAIN.replace(/[./]/g, '\\$&')}`).exec(start);
  if (!m) throw new Error(`package.json scripts.start does not run "node [flags] ${MAIN}": ${start}`);
  return m[1].trim().split(/\s+/).filter(Boolean);
}

/** Rss, Pss and Anonymous of a process, in bytes, from /proc/<pid>/smaps_rollup. */
export function readRss(pid) {
  const text = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
  const kb = (key) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? NaN) * 1024;
  return { rss: kb('Rss'), pss: kb('Pss'), anonymous: kb('Anonymous') };
}

/** Polls RSS until it moved less than `toleranceBytes` over the last `windowMs`, or `timeoutMs` passed. */
async function settledRss(pid, { windowMs = 5000, intervalMs = 250, toleranceBytes = MB, timeoutMs = 60_000 } = {}) {
  const samples = [];
  const start = Date.now();
  for (;;) {
    const now = Date.now();
    samples.push({ at: now, ...readRss(pid) });
    while (samples.length > 1 && samples[0].at < now - windowMs) samples.shift();
    const rss = samples.map((s) => s.rss);
    const steady = now - start >= windowMs && Math.max(...rss) - Math.min(...rss) < toleranceBytes;
    if (steady || now - start > timeoutMs) return { ...samples.at(-1), settleMs: now - start };
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Polls GET /health until the gateway answers; fails with its output if it exits first. */
async function waitForHealth(child, url, output, timeoutMs = 120_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`gateway exited (${child.exitCode}) before listening:\n${output()}`);
    const ok = await fetch(`${url}/health`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`gateway did not answer /health within ${timeoutMs} ms:\n${output()}`);
}

/**
 * Starts the real gateway as `npm start` does (`node <its flags> apps/gateway/dist/main.js`, default
 * config, local runtime, every default plugin) as a child process on a free port and its own data dir,
 * creates one sandbox, waits for RSS to settle and returns its memory after boot and after the create.
 * `plugins` replaces the configured plugin list (per-plugin cost); `nodeArgs` replaces the start flags;
 * `onIdle(pid)` runs once settled, before the gateway stops. Needs a built tree (`npm run build`).
 */
export async function measureIdleRss({ plugins, nodeArgs = startNodeFlags(), env = {}, onIdle } = {}) {
  const dataDir = mkdtempSync(join(tmpdir(), 'sandboxed-idle-rss-'));
  const configured = (plugins ?? loadConfig({ env: {} }).plugins).map((p) =>
    p.use === 'runtime-local' ? { ...p, options: { ...p.options, dataDir } } : p,
  );
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(process.execPath, [...nodeArgs, join(repo, MAIN)], {
    cwd: repo,
    env: {
      ...process.env,
      SANDBOXED_SERVER__HOST: '127.0.0.1',
      SANDBOXED_SERVER__PORT: String(port),
      SANDBOXED_PLUGINS: JSON.stringify(configured),
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const keep = (chunk) => (output = (output + chunk).slice(-20_000));
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  let id;
  try {
    await waitForHealth(child, url, () => output);
    const boot = await settledRss(child.pid);
    const res = await fetch(`${url}/v1/sandboxes`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    if (res.status !== 201) throw new Error(`sandbox create: ${res.status} ${await res.text()}`);
    ({ id } = await res.json());
    const idle = await settledRss(child.pid);
    await onIdle?.(child.pid);
    return { boot, idle };
  } finally {
    // Local workspaces are mounted volumes: the sandbox goes before the gateway and its data dir.
    if (id) await fetch(`${url}/v1/sandboxes/${id}`, { method: 'DELETE' }).catch(() => undefined);
    if (child.exitCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
    try {
      rmSync(dataDir, { recursive: true, force: true });
    } catch (err) {
      console.error(`idle-rss: could not remove ${dataDir}: ${err.message}`);
    }
  }
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Idle RSS after start + one create, the median of `runs` fresh gateways, as rows for bench/stats.mjs printTable. */
export async function benchIdleRss(runs = 3) {
  const results = [];
  for (let i = 0; i < runs; i++) results.push(await measureIdleRss());
  const mb = (pick) => (median(results.map(pick)) / MB).toFixed(1);
  const flags = startNodeFlags().join(' ') || 'no flags';
  return [
    {
      name:
        `gateway idle RSS, start + 1 create (local, default plugins, ${flags}; median of ${runs}): ` +
        `${mb((r) => r.idle.rss)} MB (anon ${mb((r) => r.idle.anonymous)} MB; after boot ${mb((r) => r.boot.rss)} MB)`,
      n: runs,
    },
  ];
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const runs = Number(process.env.BENCH_IDLE_RUNS ?? 3);
  const fmt = (s) =>
    `rss ${(s.rss / MB).toFixed(1)} MB, pss ${(s.pss / MB).toFixed(1)} MB, anon ${(s.anonymous / MB).toFixed(1)} MB`;
  console.log(`node flags (from npm start): ${startNodeFlags().join(' ') || '(none)'}`);
  const idle = [];
  for (let i = 0; i < runs; i++) {
    const r = await measureIdleRss();
    idle.push(r.idle.rss);
    console.log(`run ${i + 1}: after boot ${fmt(r.boot)}; after boot + create ${fmt(r.idle)}`);
  }
  console.log(`median idle RSS: ${(median(idle) / MB).toFixed(1)} MB`);
}
