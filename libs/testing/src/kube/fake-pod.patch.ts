import type { KubeObject } from './fake-object.store.js';
import { kubeErrors, type GroupResource } from './kube-status.js';
import { validateLabels } from './pod.validator.js';

/** The patch media types the fake applies; both act as RFC 7386 merge patches on metadata maps. */
export const PATCH_TYPES = ['application/merge-patch+json', 'application/strategic-merge-patch+json'] as const;

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** RFC 7386: objects merge key by key, null removes a key, anything else replaces. */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isObject(patch)) return structuredClone(patch);
  const out: Record<string, unknown> = isObject(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

/**
 * A pod PATCH as the API server does it: `metadata.resourceVersion` (and `metadata.uid`) in the
 * patch are preconditions, 409 Conflict when the stored object has moved on (optimistic
 * concurrency: of two patches read at one resourceVersion, only the first applies); name and
 * namespace cannot change (400); the spec may change only in activeDeadlineSeconds, and only
 * down (422); status is a subresource, ignored here; labels are validated as at create (422).
 */
export function patchPod(gr: GroupResource, current: KubeObject, patch: unknown): KubeObject {
  if (!isObject(patch)) throw kubeErrors.badRequest('json: cannot unmarshal the patch into an object');
  const meta = isObject(patch.metadata) ? patch.metadata : {};
  const name = current.metadata.name;
  if (meta.resourceVersion !== undefined && meta.resourceVersion !== current.metadata.resourceVersion) {
    throw kubeErrors.conflict(
      gr,
      name,
      'the object has been modified; please apply your changes to the latest version and try again',
    );
  }
  if (meta.uid !== undefined && meta.uid !== current.metadata.uid) {
    throw kubeErrors.conflict(
      gr,
      name,
      `Precondition failed: UID in precondition: ${String(meta.uid)}, UID in object meta: ${current.metadata.uid}`,
    );
  }
  const next = mergePatch(current, patch) as KubeObject;
  if (next.metadata?.name !== name || next.metadata.namespace !== current.metadata.namespace) {
    throw kubeErrors.badRequest(
      `the name of the object (${String(next.metadata?.name)}) does not match the name on the URL (${name})`,
    );
  }
  const before = current.spec as Record<string, unknown> | undefined;
  const after = next.spec as Record<string, unknown> | undefined;
  const { activeDeadlineSeconds: oldDeadline, ...restBefore } = before ?? {};
  const { activeDeadlineSeconds: newDeadline, ...restAfter } = after ?? {};
  if (JSON.stringify(restBefore) !== JSON.stringify(restAfter)) {
    throw kubeErrors.invalid('Pod', '', name, [
      {
        reason: 'FieldValueForbidden',
        field: 'spec',
        message:
          'Forbidden: pod updates may not change fields other than `spec.containers[*].image`, `spec.activeDeadlineSeconds`, `spec.tolerations` (only additions to existing tolerations) or `spec.terminationGracePeriodSeconds`',
      },
    ]);
  }
  if (
    newDeadline !== oldDeadline &&
    (typeof newDeadline !== 'number' || (typeof oldDeadline === 'number' && newDeadline > oldDeadline))
  ) {
    throw kubeErrors.invalid('Pod', '', name, [
      {
        reason: 'FieldValueForbidden',
        field: 'spec.activeDeadlineSeconds',
        message: 'Forbidden: must be a positive integer, and may only be set or decreased',
      },
    ]);
  }
  const causes = validateLabels(next.metadata.labels);
  if (causes.length) throw kubeErrors.invalid('Pod', '', name, causes);
  next.status = current.status;
  next.metadata.uid = current.metadata.uid;
  next.metadata.creationTimestamp = current.metadata.creationTimestamp;
  next.metadata.resourceVersion = current.metadata.resourceVersion;
  return next;
}
