import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createGateway, loadConfig, type Gateway } from '@sandboxed/kernel';
import { RUNTIME_REGISTRY, type RuntimeRegistry, type SandboxRuntime } from '@sandboxed/plugin-sdk';

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

/** Records the id of every sandbox this gateway asks the runtime to create (or to claim from a warm pool). */
function trackCreates(runtime: SandboxRuntime, ids: Set<string>): void {
  const create = runtime.create.bind(runtime);
  runtime.create = (spec) => {
    ids.add(spec.id);
    return create(spec);
  };
  const pool = runtime.pool;
  if (!pool) return;
  const claim = pool.claim.bind(pool);
  pool.claim = (member, spec) => {
    ids.add(spec.id);
    return claim(member, spec);
  };
}

/**
 * A real gateway on 127.0.0.1 with an ephemeral port and a private data folder, composed from the
 * same config and plugins as production. Tests talk to it over real HTTP.
 */
export async function startTestGateway(opts: TestGatewayOptions = {}): Promise<TestGateway> {
  const dataDir = mkdtempSync(join(tmpdir(), 'sandboxed-test-'));
  const base = loadConfig({ env: opts.env ?? {}, argv: [] });
  const plugins = base.plugins
    .filter((p) => !opts.onlyPlugins || opts.onlyPlugins.includes(p.use))
    .map((p) =>
      p.use === 'runtime-local'
        ? { use: p.use, options: { ...p.options, dataDir } }
        : { use: p.use, options: p.options },
    );
  const config = loadConfig({
    env: opts.env ?? {},
    overrides: {
      server: { port: 0, host: '127.0.0.1' },
      log: { level: 'warn' },
      // SANDBOXED_TEST_AGENT=off runs a suite on the runtimes' per-call exec (.ci/run does, for the exec-heavy suites).
      agent: { ...base.agent, enabled: process.env.SANDBOXED_TEST_AGENT !== 'off' },
      ...opts.config,
      plugins: [...plugins, ...(opts.extraPlugins ?? [])],
    },
  });
  const gateway = await createGateway({ config, version: '0.0.0-test' });
  const registry = gateway.app.get<RuntimeRegistry>(RUNTIME_REGISTRY);
  const created = new Set<string>();
  for (const name of registry.names()) trackCreates(registry.get(name)!, created);
  return {
    ...gateway,
    dataDir,
    close: async () => {
      // Tests must not leave sandboxes (and their processes) behind. The local runtime's data
      // lives in this gateway's private folder, so everything it lists is ours; a shared engine
      // (Docker) also holds other test files' and people's sandboxes, some created while this
      // gateway ran (parallel jest workers): destroy only those this gateway created.
      for (const name of registry.names()) {
        const runtime = registry.get(name)!;
        for (const s of await runtime.list()) if (name === 'local' || created.has(s.id)) await runtime.destroy(s.id);
      }
      await gateway.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
