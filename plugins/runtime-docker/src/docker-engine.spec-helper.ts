import { randomBytes } from 'node:crypto';
import { describe, it } from '@jest/globals';
import type { SandboxSpec } from '@sandboxed/plugin-sdk';
import { createDockerClient } from './docker-client.factory.js';
import { LOCAL_IMAGES } from './default-templates.js';

export const quietLogger = { log: () => undefined, warn: () => undefined };

/** Why Docker tests cannot run here, or undefined when the engine answers and the images exist. */
export async function dockerUnavailableReason(
  images: string[] = [LOCAL_IMAGES.base, LOCAL_IMAGES.python],
): Promise<string | undefined> {
  const { docker, endpoint } = createDockerClient();
  try {
    await Promise.race([
      docker.ping(),
      new Promise((_, reject) => setTimeout(() => reject(new Error('timeout')), 5000).unref()),
    ]);
  } catch (err) {
    return `no Docker engine answers at ${endpoint} (${(err as Error).message}); run scripts/ensure-docker.sh`;
  }
  for (const image of images) {
    try {
      await docker.getImage(image).inspect();
    } catch {
      return `image ${image} is missing; run \`npm run images:local\``;
    }
  }
  return undefined;
}

/**
 * `describe` when Docker is usable. Otherwise: in CI (CI=true) a failing test, so a missing
 * engine can never pass silently; elsewhere a skipped block with the reason.
 */
export function describeWithDocker(name: string, reason: string | undefined, body: () => void): void {
  if (!reason) return describe(name, body);
  if (process.env.CI === 'true') {
    describe(name, () => {
      it('needs a Docker engine', () => {
        throw new Error(`Docker tests cannot run: ${reason}`);
      });
    });
    return;
  }
  console.warn(`Skipping "${name}": ${reason}`);
  describe.skip(name, body);
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
