import { plugin } from './docker-runtime.plugin.js';

export { plugin, DockerRuntimeModule } from './docker-runtime.plugin.js';
export { DockerRuntime } from './docker.runtime.js';
export type { ReconcileResult } from './docker.runtime.js';
export { DockerRuntimeOptionsDto, resolveDockerRuntimeOptions } from './docker-runtime-options.dto.js';
export { DockerTemplateDto } from './docker-template.dto.js';
export type {
  DockerRuntimeOptions,
  DockerTemplate,
  DockerNetwork,
  DockerRuntimeLogger,
} from './docker-runtime.options.js';
export { DockerRuntimeRegistrar } from './docker-runtime.registrar.js';
export { DEFAULT_TEMPLATES, LOCAL_IMAGES } from './default-templates.js';
export { createDockerClient } from './docker-client.factory.js';
export type { DockerClient } from './docker-client.factory.js';
export { LABELS as SANDBOX_LABELS } from './sandbox-labels.codec.js';
export { POOL_LABELS, poolName, claimVolumeName } from './pool-member.codec.js';
export { reconcilePool, CLAIM_GRACE_MS } from './pool-member.reconciler.js';
export type { PoolReconcileResult } from './pool-member.reconciler.js';

export default plugin;
