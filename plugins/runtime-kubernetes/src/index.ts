import { plugin } from './kubernetes-runtime.plugin.js';

export { plugin, KubernetesRuntimeModule } from './kubernetes-runtime.plugin.js';
export { KubernetesRuntime } from './kubernetes.runtime.js';
export type { ReconcileResult } from './kubernetes.runtime.js';
export { KubernetesRuntimeOptionsDto, resolveKubernetesRuntimeOptions } from './kubernetes-runtime-options.dto.js';
export { KubernetesTemplateDto } from './kubernetes-template.dto.js';
export type {
  KubernetesRuntimeOptions,
  KubernetesTemplate,
  KubernetesRuntimeLogger,
  ImagePullPolicy,
  KubeconfigSource,
} from './kubernetes-runtime.options.js';
export { KubernetesRuntimeRegistrar } from './kubernetes-runtime.registrar.js';
export { buildPod } from './pod-spec.builder.js';
export { LABELS as POD_LABELS, ANNOTATIONS as POD_ANNOTATIONS, podName } from './pod-labels.codec.js';
export { defaultDenyPolicy, allowEgressPolicy } from './network-policies.js';
export { createKubeClient } from './kube-client.factory.js';
export type { KubeClient } from './kube-client.factory.js';

export default plugin;
