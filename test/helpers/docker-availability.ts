import { createDockerClient, LOCAL_IMAGES } from '@sandboxed/runtime-docker';

/** Why the Docker variants cannot run here (no engine, or the image is not built), or undefined. */
export async function dockerUnavailable(image: string = LOCAL_IMAGES.base): Promise<string | undefined> {
  const { docker, endpoint } = createDockerClient();
  try {
    await Promise.race([
      docker.ping(),
      new Promise((_, reject) => setTimeout(() => reject(new Error('no answer in 5 s')), 5000).unref()),
    ]);
    await docker.getImage(image).inspect();
    return undefined;
  } catch (err) {
    return `Docker at ${endpoint} or image ${image} is unavailable (${(err as Error).message}); run scripts/ensure-docker.sh and npm run images:local`;
  }
}
