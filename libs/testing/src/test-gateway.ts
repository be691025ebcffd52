import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createGateway, loadConfig, type Gateway } from '@sandboxed/kernel';
import { RUNTIME_REGISTRY, type RuntimeRegistry } from '@sandboxed/plugin-sdk';

export interface TestGatewayOptions {
  /** Config overrides (deep-merged over config/default.yaml). */
  config?: Record<string, unknown>;
  /** Extra plugin entries appended to the defaults. */
  extraPlugins?: Array<string | { use: string; options?: Record<string, unknown> }>;
  /** Keep only the default plugins with these ids (e.g. to leave one out). */
  onlyPlugins?: string[];
  env?: NodeJS.ProcessEnv;
}

export interface TestGateway extends Gateway {
  /** Scratch folder for this gateway (the local runtime's data lives here). */
  dataDir: string;
}

/**
 * A real gateway on 127.0.0.1 with an ephemeral port and a private data folder, composed from the
 * same config and plugins as production. Tests talk to it over real HTTP.
 */
export async function startTestGateway(opts: TestGatewayOptions = {}): Promise<TestGateway> {
  const dataDir = mkdtempSync(join(tmpdir(), 'sandboxed-test-'));
  const base = loadConfig({ env: opts.env ?? {}, argv: [] });
  const plugins = base.plugins.filter((p) => !opts.onlyPlugins || opts.onlyPlugins.includes(p.use)).map((p) =>
    p.use === 'runtime-local' ? { use: p.use, options: { ...p.options, dataDir } } : { use: p.use, options: p.options },
  );
  const config = loadConfig({
    env: opts.env ?? {},
    overrides: {
      server: { port: 0, host: '127.0.0.1' },
      log: { level: 'warn' },
      ...opts.config,
      plugins: [...plugins, ...(opts.extraPlugins ?? [])],
    },
  });
  const gateway = await createGateway({ config, version: '0.0.0-test' });
  return {
    ...gateway,
    dataDir,
    close: async () => {
      // Tests must not leave sandboxes (and their processes) behind.
      const registry = gateway.app.get<RuntimeRegistry>(RUNTIME_REGISTRY);
      for (const name of registry.names()) {
        const runtime = registry.get(name)!;
        for (const s of await runtime.list()) await runtime.destroy(s.id);
      }
      await gateway.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
