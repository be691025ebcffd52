import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createGateway, loadConfig } from '@sandboxed/kernel';

/** Boots a real gateway from the built packages on an ephemeral loopback port. */
export async function startBenchGateway({
  runtime = 'local',
  extraPlugins = [],
  agent = true,
  config: extra = {},
} = {}) {
  const dataDir = mkdtempSync(join(tmpdir(), 'sandboxed-bench-'));
  const base = loadConfig({ env: {} });
  const plugins = base.plugins.map((p) =>
    p.use === 'runtime-local' ? { ...p, options: { ...p.options, dataDir } } : p,
  );
  const config = loadConfig({
    env: {},
    overrides: {
      server: { port: 0 },
      log: { level: 'error' },
      runtime: { default: runtime },
      agent: { ...base.agent, enabled: agent },
      plugins: [...plugins, ...extraPlugins.filter((e) => !plugins.some((p) => p.use === e.use))],
      ...extra,
    },
  });
  const gateway = await createGateway({ config, version: 'bench' });
  const json = async (method, path, body) => {
    const res = await fetch(`${gateway.url}${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (res.status >= 400) throw new Error(`${method} ${path}: ${res.status} ${text}`);
    return text ? JSON.parse(text) : undefined;
  };
  return {
    url: gateway.url,
    localDataDir: dataDir,
    json,
    close: async () => {
      // Sandboxes outlive a gateway; a benchmark's must not (local workspaces are mounted volumes).
      for (const sb of (await json('GET', '/v1/sandboxes')).sandboxes) await json('DELETE', `/v1/sandboxes/${sb.id}`);
      await gateway.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
