import type { SandboxSpec } from './runtime.types.js';
import type { PoolFillSpec } from './sandbox-pool.types.js';

/**
 * The spec a pool member is built from, exactly as a cold create of its template would be: no
 * owner, env or labels (a claim sets owner and labels; env applies per exec), keyed by `key`.
 */
export function poolSeedSpec(key: string, fill: PoolFillSpec): SandboxSpec {
  return {
    id: key,
    owner: '',
    template: fill.template,
    env: {},
    labels: {},
    resources: fill.resources,
    expiresAt: fill.expiresAt,
  };
}
