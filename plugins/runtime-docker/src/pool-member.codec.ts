import type { SandboxRecord, SandboxSpec } from '@sandboxed/plugin-sdk';
import { containerName, CONTAINER_PREFIX, decodeLabels, LABELS } from './sandbox-labels.codec.js';

/**
 * Warm-pool state on the engine (docs/docker.md, "Warm pools"). Container labels cannot change,
 * so who owns a member is the labels of a claim record volume, named after the member, that
 * exactly one claim or recycle creates (claim-volume.exclusive.ts), and the sandbox cannot touch:
 *
 *   sandboxed-pool-<key>          member (labels: template, resources, pool key; no id, no owner);
 *                                 unclaimed while its claim record does not exist
 *   volume sandboxed-claim-<key>  the claim record: id, owner, template, expiry, user labels, pool
 *                                 key (or, made by a recycle, only the key and a recycle nonce)
 *   sandboxed-<id>                the name its claim gives the claimed sandbox, a moment after the
 *                                 claim (until then it is found through its record)
 */
export const POOL_LABELS = {
  /** The member's template; present on members and on the sandboxes they became. */
  pool: 'sandboxed.pool',
  /** Random, fixed at fill: ties a claim record to its container. */
  key: 'sandboxed.pool-key',
  /** On a claim record: the sandbox id it describes. */
  claim: 'sandboxed.claim',
  /** On a record a recycle made: that recycle's nonce. */
  recycle: 'sandboxed.recycle',
} as const;

export const POOL_PREFIX = `${CONTAINER_PREFIX}pool-`;
const CLAIM_VOLUME_PREFIX = `${CONTAINER_PREFIX}claim-`;

const KEY = /^[0-9a-f]{32}$/;

export function isPoolKey(key: unknown): key is string {
  return typeof key === 'string' && KEY.test(key);
}

export const poolName = (key: string): string => `${POOL_PREFIX}${key}`;
/** The claim record of the member with this pool key. */
export const claimVolumeName = (key: string): string => `${CLAIM_VOLUME_PREFIX}${key}`;

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

/** The claim record's labels: everything a cold container's labels would say that the member's do not. */
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

/** The labels of the record a recycle makes: it describes no sandbox. */
export function recycleLabels(key: string, nonce: string): Record<string, string> {
  return { [POOL_LABELS.key]: key, [POOL_LABELS.recycle]: nonce };
}

/**
 * The record of a claimed sandbox, or undefined unless its container (named `sandboxed-<id>`, or
 * still `sandboxed-pool-<key>` right after the claim) and its claim record agree on the id and
 * the pool key.
 */
export function decodeClaim(
  id: string,
  container: { name: string; labels: Record<string, string> | undefined },
  volumeLabels: Record<string, string> | undefined,
): SandboxRecord | undefined {
  const key = container.labels?.[POOL_LABELS.key];
  if (!isPoolKey(key) || (container.name !== containerName(id) && container.name !== poolName(key))) return undefined;
  if (!volumeLabels || volumeLabels[POOL_LABELS.claim] !== id || volumeLabels[POOL_LABELS.key] !== key)
    return undefined;
  // Resources from the container, the rest from the claim; the member carries no id or owner.
  const record = decodeLabels({ ...container.labels, ...volumeLabels });
  return record?.id === id ? record : undefined;
}

/** A container name that is a pool member's, not a sandbox's (`sandboxed-<id>`). */
export function isMemberName(name: string): boolean {
  return name.startsWith(POOL_PREFIX);
}
