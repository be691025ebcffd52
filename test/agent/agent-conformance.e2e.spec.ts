import { agentSourceHash } from '@sandboxed/agent';
import { runtimeConformanceSuite } from '@sandboxed/testing';
import { describeWithDocker, dockerUnavailableReason } from '../support/docker-engine.support.js';
import {
  CONTAINER_IMAGES,
  dockerRuntime,
  kubernetesRuntime,
  localRuntime,
  routed,
  type RuntimeUnderTest,
} from './agent-runtimes.support.js';

/** The runtime conformance suite again, every exec through the sandbox agent; no exec may fall back. */
function agentConformance(under: RuntimeUnderTest): void {
  const fallbacks: string[] = [];
  runtimeConformanceSuite(`${under.name} through the sandbox agent`, {
    create: async () => routed(await under.create(), fallbacks),
    restart: async () => routed(await under.create(), fallbacks),
    async cleanup() {
      await under.cleanup();
      if (fallbacks.length) throw new Error(`an exec fell back to the runtime's own path: ${fallbacks.join('; ')}`);
    },
    spec: { template: under.template },
  });
}

agentConformance(localRuntime());

const reason = await dockerUnavailableReason(CONTAINER_IMAGES);
describeWithDocker('sandbox agent on docker', reason, () => agentConformance(dockerRuntime()));
describeWithDocker('sandbox agent on kubernetes (fake API server)', reason, () =>
  agentConformance(kubernetesRuntime()),
);
// The agent each pod's init container installed (agentImage): no exec may copy one in or fall back.
const agentImage = `sandboxed/agent:${await agentSourceHash()}`;
describeWithDocker(
  'sandbox agent preinstalled on kubernetes (fake API server, agentImage)',
  await dockerUnavailableReason([...CONTAINER_IMAGES, agentImage]),
  () => agentConformance({ ...kubernetesRuntime({ agentImage }), name: 'kubernetes (agentImage)' }),
);
