import type Docker from 'dockerode';
import { statusOf as httpStatusOf } from './docker-error.mapper.js';
import { claimVolumeName, decodeClaim, isPoolKey, poolName, POOL_LABELS } from './pool-member.codec.js';
import { CONTAINER_PREFIX } from './sandbox-labels.codec.js';

/** How long a claim may sit between its record and its rename before a reconcile takes it for a crashed gateway's. */
export const CLAIM_GRACE_MS = 60_000;

export interface PoolReconcileResult {
  adopted: string[];
  reaped: string[];
  problems: string[];
}

type Call = <T>(work: Promise<T>, what: string) => Promise<T>;

interface ClaimRecordVolume {
  name: string;
  labels: { [label: string]: string };
  createdAt: number;
}

/**
 * At boot: finishes what crashed gateways left halfway through a claim, recycle or delete
 * (pool-member.codec.ts), per pool key:
 *   - a member without a record is left for the kernel's pool service (it recycles by age);
 *   - a member with a recycle's record is removed, then the record;
 *   - a member with a claim record, still unrenamed after CLAIM_GRACE_MS, is a claim that never
 *     finished: removed, never handed out (within the grace it may be a claim under way);
 *   - a claimed sandbox is adopted when its record names it and it has not expired, else removed;
 *   - a record of no container (a delete or a recycle cut short) goes after CLAIM_GRACE_MS.
 * No member is ever handed out twice: only the claim that made the record renames it.
 */
export async function reconcilePool(
  docker: Docker,
  call: Call,
  now: Date,
  graceMs = CLAIM_GRACE_MS,
): Promise<PoolReconcileResult> {
  const result: PoolReconcileResult = { adopted: [], reaped: [], problems: [] };
  // Records first: one made after this list belongs to a claim under way, whose container is listed below.
  const { Volumes } = await call(docker.listVolumes({ filters: { label: [POOL_LABELS.key] } }), 'volume list');
  const containers = await call(docker.listContainers({ all: true, filters: { label: [POOL_LABELS.key] } }), 'list');
  const records = new Map<string, ClaimRecordVolume>();
  for (const v of Volumes ?? []) {
    const key = v.Labels?.[POOL_LABELS.key];
    if (!isPoolKey(key) || v.Name !== claimVolumeName(key)) continue;
    const createdAt = Date.parse((v as { CreatedAt?: string }).CreatedAt ?? '') || 0;
    records.set(key, { name: v.Name, labels: v.Labels, createdAt });
  }
  const young = (r: ClaimRecordVolume) => now.getTime() - r.createdAt < graceMs;
  const removeContainer = async (name: string, what: string): Promise<boolean> => {
    try {
      await call(docker.getContainer(name).remove({ force: true, v: true }), 'remove');
      result.reaped.push(name);
    } catch (err) {
      if (httpStatusOf(err) === 404) return true;
      result.problems.push(`cannot remove ${what} ${name}: ${(err as Error).message}`);
      return false;
    }
    return true;
  };
  const removeRecord = async (r: ClaimRecordVolume): Promise<void> => {
    try {
      await call(docker.getVolume(r.name).remove(), 'volume remove');
      result.reaped.push(r.name);
    } catch (err) {
      if (httpStatusOf(err) !== 404)
        result.problems.push(`cannot remove claim record ${r.name}: ${(err as Error).message}`);
    }
  };
  const settled = new Set<string>();
  for (const c of containers) {
    const name = c.Names?.[0]?.replace(/^\//, '') ?? '';
    const key = c.Labels?.[POOL_LABELS.key];
    if (!isPoolKey(key)) continue;
    settled.add(key);
    const record = records.get(key);
    if (name === poolName(key)) {
      if (!record) continue;
      if (record.labels[POOL_LABELS.claim] !== undefined && young(record)) continue;
      const what = record.labels[POOL_LABELS.recycle] ? 'the recycled pool member' : 'the half-claimed pool member';
      if (await removeContainer(name, what)) await removeRecord(record);
    } else if (name.startsWith(CONTAINER_PREFIX)) {
      const id = name.slice(CONTAINER_PREFIX.length);
      const claimed = decodeClaim(id, { name, labels: c.Labels }, record?.labels);
      if (claimed && claimed.expiresAt.getTime() > now.getTime()) {
        result.adopted.push(id);
        continue;
      }
      const what = claimed ? 'the expired sandbox' : 'the pool sandbox without a claim record';
      if ((await removeContainer(name, what)) && record) await removeRecord(record);
    }
  }
  for (const [key, record] of records) if (!settled.has(key) && !young(record)) await removeRecord(record);
  return result;
}
