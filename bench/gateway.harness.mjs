import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createGateway, deepMerge, loadConfig } from '@sandboxed/kernel';

/** Boots a real gateway from the built packages on an ephemeral loopback port. */
/** A bench gateway's config: the default plugins (local keeps its data in `dataDir`), an ephemeral port, quiet logs. */
export function benchConfig({ runtime, dataDir, extraPlugins = [], overrides = {} }) {
  const base = loadConfig({ env: {} });
  const plugins = base.plugins.map((p) =>
    p.use === 'runtime-local' ? { ...p, options: { ...p.options, dataDir } } : p,
  );
  return loadConfig({
    env: {},
    overrides: {
      server: { port: 0 },
      log: { level: 'error' },
      runtime: { default: runtime },
      plugins: [...plugins, ...extraPlugins.filter((e) => !plugins.some((p) => p.use === e.use))],
      ...overrides,
    },
  });
}

export async function startBenchGateway({
  runtime = 'local',
  extraPlugins = [],
  agent = true,
  config: extra = {},
} = {}) {
  const dataDir = mkdtempSync(join(tmpdir(), 'sandboxed-bench-'));
  const config = benchConfig({
    runtime,
    dataDir,
    extraPlugins,
    overrides: { agent: { ...loadConfig({ env: {} }).agent, enabled: agent }, ...extra },
  });
  const gateway = await createGateway({ config, version: 'bench' });
  const client = gatewayClient(gateway.url);
  return {
    url: gateway.url,
    localDataDir: dataDir,
    json: client.json,
    close: async () => {
      try {
        await client.deleteCreated();
      } finally {
        await gateway.close();
        rmSync(dataDir, { recursive: true, force: true });
      }
    },
  };
}

/**
 * JSON calls to a gateway that remember the sandboxes they created: sandboxes outlive a gateway,
 * a benchmark's must not (local workspaces are mounted volumes), and others' on the same engine
 * are not the benchmark's to delete.
 */
export function gatewayClient(url, apiKey) {
  const created = new Set();
  const auth = apiKey ? { 'x-api-key': apiKey } : {};
  const json = async (method, path, body) => {
    const res = await fetch(`${url}${path}`, {
      method,
      headers: body === undefined ? auth : { ...auth, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (res.status >= 400) throw new Error(`${method} ${path}: ${res.status} ${text}`);
    const out = text ? JSON.parse(text) : undefined;
    if (method === 'POST' && path === '/v1/sandboxes') created.add(out.id);
    const deleted = method === 'DELETE' && /^\/v1\/sandboxes\/([^/?]+)$/.exec(path);
    if (deleted) created.delete(deleted[1]);
    return out;
  };
  const deleteCreated = async () => {
    for (const id of created) {
      // Gone already (a test of its own, a TTL) is fine; anything else is the benchmark's to report.
      await json('DELETE', `/v1/sandboxes/${id}`).catch((err) => {
        if (!/: 404 /.test(err.message)) throw err;
      });
    }
  };
  return { json, deleteCreated };
}

/**
 * `startBenchGateway(options)` in a child process; `rssMiB()` reads its VmRSS from /proc. With
 * `principal`, the client calls as that principal (an API key), so the sandboxes it lists and owns
 * are its own, not those other runs on the same engine make as the dev principal.
 */
export async function startGatewayProcess({ principal, ...options } = {}) {
  const apiKey = principal && randomBytes(24).toString('hex');
  if (principal) options.config = deepMerge(options.config ?? {}, { auth: { apiKeys: { [apiKey]: principal } } });
  const entry = fileURLToPath(new URL('./gateway.process.mjs', import.meta.url));
  const child = spawn(process.execPath, [entry, JSON.stringify(options)], { stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const { url } = await new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (c) => {
      out += c;
      if (out.includes('\n')) resolve(JSON.parse(out.slice(0, out.indexOf('\n'))));
    });
    exited.then((code) => reject(new Error(`the bench gateway process exited ${code} before listening`)));
  });
  const client = gatewayClient(url, apiKey);
  return {
    url,
    json: client.json,
    rssMiB: () => processRssMiB(child.pid),
    close: async () => {
      try {
        await client.deleteCreated();
      } finally {
        child.kill('SIGTERM');
        await exited;
      }
    },
  };
}

export function processRssMiB(pid) {
  const kb = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!kb) throw new Error(`no VmRSS for process ${pid}`);
  return Number(kb[1]) / 1024;
}
