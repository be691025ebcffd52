import type Docker from 'dockerode';
import { statusOf as httpStatusOf } from './docker-error.mapper.js';
import { claimVolumeName, decodeClaim, isPoolKey, poolName, POOL_LABELS } from './pool-member.codec.js';
import { containerName, CONTAINER_PREFIX } from './sandbox-labels.codec.js';

/** How long a claim record may describe no container before a reconcile takes it for a dead gateway's leftover. */
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
 * At boot: finishes what stopped gateways left halfway through a claim, recycle or delete
 * (pool-member.codec.ts), per pool key:
 *   - a member without a record is left for the kernel's pool service (it recycles by age);
 *   - a member with a recycle's record is removed, then the record;
 *   - a claimed sandbox (named `sandboxed-<id>`, or still the member's name: its rename is done
 *     here) is adopted when its record names it and it has not expired, else removed;
 *   - a record of no container (a delete or a recycle cut short, or a claim of a member that was
 *     gone) goes after CLAIM_GRACE_MS.
 * No member is ever handed out twice: the record is the claim, and only a record's absence makes a member.
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
    if (name === poolName(key) && !record) continue;
    if (name === poolName(key) && record?.labels[POOL_LABELS.recycle] !== undefined) {
      if (await removeContainer(name, 'the recycled pool member')) await removeRecord(record);
      continue;
    }
    if (!name.startsWith(CONTAINER_PREFIX)) continue;
    const id = record?.labels[POOL_LABELS.claim] ?? name.slice(CONTAINER_PREFIX.length);
    const claimed = decodeClaim(id, { name, labels: c.Labels }, record?.labels);
    if (claimed && claimed.expiresAt.getTime() > now.getTime()) {
      result.adopted.push(id);
      if (name === poolName(key)) {
        // A claim whose gateway stopped before renaming it: 404, 400 or 409 if it is being renamed now.
        await call(docker.getContainer(name).rename({ name: containerName(id) }), 'rename').catch(() => undefined);
      }
      continue;
    }
    const what = claimed ? 'the expired sandbox' : 'the pool sandbox without a claim record';
    if ((await removeContainer(name, what)) && record) await removeRecord(record);
  }
  for (const [key, record] of records) if (!settled.has(key) && !young(record)) await removeRecord(record);
  return result;
}
