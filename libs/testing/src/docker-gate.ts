import { describe, it } from '@jest/globals';

/** The bits of a dockerode client the gate needs. */
export interface DockerProbe {
  docker: { ping(): Promise<unknown>; getImage(name: string): { inspect(): Promise<unknown> } };
  endpoint: string;
}

/** Why Docker tests cannot run here, or undefined when the engine answers and the images exist. */
export async function dockerUnavailableReason(probe: DockerProbe, images: string[]): Promise<string | undefined> {
  const { docker, endpoint } = probe;
  try {
    await Promise.race([
      docker.ping(),
      new Promise((_, reject) => setTimeout(() => reject(new Error('no answer in 5 s')), 5000).unref()),
    ]);
  } catch (err) {
    return `no Docker engine answers at ${endpoint} (${(err as Error).message}); run scripts/ensure-docker.sh`;
  }
  for (const image of images) {
    const present = await docker
      .getImage(image)
      .inspect()
      .then(
        () => true,
        () => false,
      );
    if (!present) return `image ${image} is missing; run \`npm run images:local\``;
  }
  return undefined;
}

/**
 * `describe` when Docker is usable. Otherwise: under CI=true a failing test, so a missing engine
 * can never pass silently; elsewhere a skipped block that says why.
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
