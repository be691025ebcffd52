import type { SandboxRecord, SandboxSpec } from '@sandboxed/plugin-sdk';
import { containerName, CONTAINER_PREFIX, decodeLabels, LABELS } from './sandbox-labels.codec.js';

/**
 * Warm-pool state on the engine (docs/docker.md, "Warm pools"). Container labels cannot change,
 * so a member's state is its container name, and a claimed sandbox's owner, labels and expiry
 * live in the labels of a claim volume that the gateway creates and the sandbox cannot touch:
 *
 *   sandboxed-pool-<key>     unclaimed member (labels: template, resources, pool key; no id, no owner)
 *   sandboxed-claimed-<key>  won by one claim: renaming a container to a fixed name is exclusive
 *   sandboxed-<id>           the claimed sandbox, found like any other by its id
 *   sandboxed-recycle-<key>  won by a recycle, about to be removed
 *   volume sandboxed-claim-<id>  the claim record: id, owner, template, expiry, user labels, pool key
 */
export const POOL_LABELS = {
  /** The member's template; present on members and on the sandboxes they became. */
  pool: 'sandboxed.pool',
  /** Random, fixed at fill: ties a claim record to its container. */
  key: 'sandboxed.pool-key',
  /** On a claim volume: the sandbox id it describes. */
  claim: 'sandboxed.claim',
} as const;

export const POOL_PREFIX = `${CONTAINER_PREFIX}pool-`;
export const CLAIMED_PREFIX = `${CONTAINER_PREFIX}claimed-`;
export const RECYCLE_PREFIX = `${CONTAINER_PREFIX}recycle-`;
const CLAIM_VOLUME_PREFIX = `${CONTAINER_PREFIX}claim-`;

const KEY = /^[0-9a-f]{32}$/;

export function isPoolKey(key: unknown): key is string {
  return typeof key === 'string' && KEY.test(key);
}

export const poolName = (key: string): string => `${POOL_PREFIX}${key}`;
export const claimedName = (key: string): string => `${CLAIMED_PREFIX}${key}`;
export const recycleName = (key: string): string => `${RECYCLE_PREFIX}${key}`;
export const claimVolumeName = (id: string): string => `${CLAIM_VOLUME_PREFIX}${id}`;

/** A member's labels: the cold labels of its container spec without id, owner, expiry or user labels. */
export function memberLabels(
  coldLabels: Record<string, string>,
  template: string,
  key: string,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(coldLabels)) {
    if (k === LABELS.id || k === LABELS.owner || k === LABELS.expiresAt || k.startsWith(LABELS.userPrefix)) continue;
    out[k] = v;
  }
  return { ...out, [LABELS.template]: template, [POOL_LABELS.pool]: template, [POOL_LABELS.key]: key };
}

/** The claim volume's labels: everything a cold container's labels would say that the member's do not. */
export function claimLabels(spec: SandboxSpec, key: string, claimedAt: Date): Record<string, string> {
  const labels: Record<string, string> = {
    [POOL_LABELS.claim]: spec.id,
    [POOL_LABELS.key]: key,
    [LABELS.id]: spec.id,
    [LABELS.owner]: spec.owner,
    [LABELS.template]: spec.template,
    [LABELS.expiresAt]: new Date(spec.expiresAt).toISOString(),
    [LABELS.createdAt]: claimedAt.toISOString(),
  };
  for (const [k, v] of Object.entries(spec.labels)) labels[`${LABELS.userPrefix}${k}`] = v;
  return labels;
}

/**
 * The record of a claimed sandbox, or undefined unless the container named `sandboxed-<id>` and
 * the claim volume agree on the id and the pool key (a leftover volume of a lost or crashed claim
 * never describes another container).
 */
export function decodeClaim(
  id: string,
  container: { name: string; labels: Record<string, string> | undefined },
  volumeLabels: Record<string, string> | undefined,
): SandboxRecord | undefined {
  const key = container.labels?.[POOL_LABELS.key];
  if (!isPoolKey(key) || container.name !== containerName(id)) return undefined;
  if (!volumeLabels || volumeLabels[POOL_LABELS.claim] !== id || volumeLabels[POOL_LABELS.key] !== key)
    return undefined;
  // Resources from the container, the rest from the claim; the member carries no id or owner.
  const record = decodeLabels({ ...container.labels, ...volumeLabels });
  return record?.id === id ? record : undefined;
}

/** A container name that is a pool member's state, not a sandbox's (`sandboxed-<id>`). */
export function isMemberName(name: string): boolean {
  return name.startsWith(POOL_PREFIX) || name.startsWith(CLAIMED_PREFIX) || name.startsWith(RECYCLE_PREFIX);
}
