import { ConfigMap, Namespace, Pod, Service, ServiceAccount } from 'kubernetes-models/v1';
import { Deployment } from 'kubernetes-models/apps/v1';
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1';
import { RuntimeClass } from 'kubernetes-models/node.k8s.io/v1';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { Role, RoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1';
import type { KubeObject } from './kustomize.render.js';

type Model = new (data: never) => { validate(): void };

/** `apiVersion/kind` → its kubernetes-models class (each validates against the Kubernetes OpenAPI schema). */
const MODELS: Record<string, Model> = {
  'v1/Namespace': Namespace,
  'v1/ServiceAccount': ServiceAccount,
  'v1/Service': Service,
  'v1/ConfigMap': ConfigMap,
  'v1/Pod': Pod,
  'apps/v1/Deployment': Deployment,
  'rbac.authorization.k8s.io/v1/Role': Role,
  'rbac.authorization.k8s.io/v1/RoleBinding': RoleBinding,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
  'networking.k8s.io/v1/NetworkPolicy': NetworkPolicy,
  'node.k8s.io/v1/RuntimeClass': RuntimeClass,
};

/** Cluster-scoped kinds among those above; everything else must name a namespace. */
export const CLUSTER_SCOPED = new Set(['v1/Namespace', 'node.k8s.io/v1/RuntimeClass']);

export const typeOf = (obj: Pick<KubeObject, 'apiVersion' | 'kind'>): string => `${obj.apiVersion}/${obj.kind}`;

/**
 * Validates one object against its schema; throws naming the object and the schema violations. A kind
 * without a model here throws too, so a new kind in the manifests cannot go unchecked.
 */
export function validateObject(obj: KubeObject): void {
  const model = MODELS[typeOf(obj)];
  const name = `${typeOf(obj)} ${obj.metadata?.namespace ?? '-'}/${obj.metadata?.name}`;
  if (!model) throw new Error(`${name}: no kubernetes-models class registered for this kind`);
  try {
    new model(obj as never).validate();
  } catch (err) {
    throw new Error(`${name}: ${(err as Error).message}`, { cause: err });
  }
}
