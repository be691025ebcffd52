import { randomBytes } from 'node:crypto';
import { describeWithDocker, dockerUnavailableReason as reasonFor } from '@sandboxed/testing';
import type { SandboxSpec } from '@sandboxed/plugin-sdk';
import { createDockerClient } from './docker-client.factory.js';
import { LOCAL_IMAGES } from './default-templates.js';

export const quietLogger = { log: () => undefined, warn: () => undefined };

export { describeWithDocker };

/** Why Docker tests cannot run here, or undefined when the engine answers and the images exist. */
export function dockerUnavailableReason(
  images: string[] = [LOCAL_IMAGES.base, LOCAL_IMAGES.python],
): Promise<string | undefined> {
  return reasonFor(createDockerClient(), images);
}

export function sandboxSpec(overrides: Partial<SandboxSpec> = {}): SandboxSpec {
  return {
    id: randomBytes(16).toString('hex'),
    owner: 'docker-spec',
    template: 'base',
    env: {},
    labels: {},
    resources: {},
    expiresAt: new Date(Date.now() + 3600_000),
    ...overrides,
  };
}
