import type { V1Pod } from '@kubernetes/client-node';
import type { SandboxSpec } from '@sandboxed/plugin-sdk';
import { ANNOTATIONS, LABELS, ownerKey, POOL_KEY_LABEL, sandboxKey } from './pod-labels.codec.js';

/**
 * Warm-pool state on pods (docs/kubernetes.md, "Warm pools"). An unclaimed member is a pod named
 * `sandbox-pool-<key>` labelled `app.kubernetes.io/name: sandbox-pool` and carrying no id or
 * owner, so no sandbox listing selects it. A claim is one merge patch that adds the id, owner,
 * expiry and user labels and relabels it `sandbox`, with the resourceVersion the member was
 * listed at as its precondition: of two claims of one member the API server applies the first and
 * answers 409 Conflict to the other.
 */
export const POOL_NAME_LABEL = 'sandbox-pool';
export { POOL_KEY_LABEL };
const POOL_POD_PREFIX = 'sandbox-pool-';
const KEY = /^[0-9a-f]{32}$/;

export function isPoolKey(key: unknown): key is string {
  return typeof key === 'string' && KEY.test(key);
}

export function poolPodName(key: string): string {
  return `${POOL_POD_PREFIX}${key}`;
}

/** The member handle the kernel passes back: pool key and the resourceVersion it was listed at. */
export function memberHandle(pod: V1Pod): string {
  return `${pod.metadata?.labels?.[POOL_KEY_LABEL] ?? ''}.${pod.metadata?.resourceVersion ?? ''}`;
}

export function parseHandle(handle: string): { key: string; resourceVersion: string } | undefined {
  const [key, resourceVersion, ...rest] = handle.split('.');
  return isPoolKey(key) && resourceVersion && /^[0-9]+$/.test(resourceVersion) && rest.length === 0
    ? { key, resourceVersion }
    : undefined;
}

/** A member pod's metadata from the cold one buildPod made: no id, owner, expiry or user labels. */
export function memberMetadata(cold: V1Pod, key: string, namespace: string): V1Pod['metadata'] {
  const labels = { ...cold.metadata!.labels };
  delete labels[LABELS.sandbox];
  delete labels[LABELS.owner];
  const a = cold.metadata!.annotations ?? {};
  return {
    name: poolPodName(key),
    namespace,
    labels: { ...labels, [LABELS.name]: POOL_NAME_LABEL, [POOL_KEY_LABEL]: key },
    annotations: {
      [ANNOTATIONS.template]: a[ANNOTATIONS.template] ?? '',
      [ANNOTATIONS.createdAt]: a[ANNOTATIONS.createdAt] ?? '',
      [ANNOTATIONS.resources]: a[ANNOTATIONS.resources] ?? '{}',
    },
  };
}

/** The claim: what a cold pod of `spec` carries that a member lacks, guarded by `resourceVersion`. */
export function claimPatch(spec: SandboxSpec, resourceVersion: string, claimedAt: Date): object {
  return {
    metadata: {
      resourceVersion,
      labels: { [LABELS.name]: 'sandbox', [LABELS.sandbox]: sandboxKey(spec.id), [LABELS.owner]: ownerKey(spec.owner) },
      annotations: {
        [ANNOTATIONS.id]: spec.id,
        [ANNOTATIONS.owner]: spec.owner,
        [ANNOTATIONS.expiresAt]: new Date(spec.expiresAt).toISOString(),
        [ANNOTATIONS.createdAt]: claimedAt.toISOString(),
        [ANNOTATIONS.labels]: JSON.stringify(spec.labels),
      },
    },
  };
}

export function isUnclaimedMember(pod: V1Pod | undefined): boolean {
  const labels = pod?.metadata?.labels ?? {};
  return (
    !!pod &&
    !pod.metadata?.deletionTimestamp &&
    labels[LABELS.name] === POOL_NAME_LABEL &&
    isPoolKey(labels[POOL_KEY_LABEL]) &&
    pod.metadata?.name === poolPodName(labels[POOL_KEY_LABEL])
  );
}
