import { createDockerClient, LOCAL_IMAGES } from '@sandboxed/runtime-docker';
import { describeWithDocker, dockerUnavailableReason as reasonFor } from '@sandboxed/testing';

export { describeWithDocker };

/** Why the Docker e2e tests cannot run here (engine or images missing), or undefined. */
export function dockerUnavailableReason(images: string[] = Object.values(LOCAL_IMAGES)): Promise<string | undefined> {
  return reasonFor(createDockerClient(), images);
}
