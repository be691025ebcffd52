import { randomBytes } from 'node:crypto';
import type { SandboxSpec } from '@sandboxed/plugin-sdk';

/** A valid sandbox spec with a fresh id, for runtime specs and the conformance suite. */
export function sandboxSpec(owner: string, overrides: Partial<SandboxSpec> = {}): SandboxSpec {
  return {
    id: randomBytes(16).toString('hex'),
    owner,
    template: 'default',
    env: {},
    labels: {},
    resources: {},
    expiresAt: new Date(Date.now() + 3600_000),
    ...overrides,
  };
}
