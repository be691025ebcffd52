import { describe, it } from '@jest/globals';
import { createDockerClient, LOCAL_IMAGES } from '@sandboxed/runtime-docker';

/** Why the Docker e2e tests cannot run here, or undefined when the engine answers and the images exist. */
export async function dockerUnavailableReason(
  images: string[] = Object.values(LOCAL_IMAGES),
): Promise<string | undefined> {
  const { docker, endpoint } = createDockerClient();
  try {
    await Promise.race([
      docker.ping(),
      new Promise((_, reject) => setTimeout(() => reject(new Error('no answer in 5 s')), 5000).unref()),
    ]);
  } catch (err) {
    return `no Docker engine answers at ${endpoint} (${(err as Error).message}); run scripts/ensure-docker.sh`;
  }
  for (const image of images) {
    if (
      !(await docker
        .getImage(image)
        .inspect()
        .then(
          () => true,
          () => false,
        ))
    ) {
      return `image ${image} is missing; run \`npm run images:local\``;
    }
  }
  return undefined;
}

/** `describe` when Docker is usable; with CI=true a missing engine fails, elsewhere the block is skipped. */
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
