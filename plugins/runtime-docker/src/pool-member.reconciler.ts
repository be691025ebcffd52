import type Docker from 'dockerode';
import { statusOf as httpStatusOf } from './docker-error.mapper.js';
import { claimedName, decodeClaim, isPoolKey, poolName, POOL_LABELS, recycleName } from './pool-member.codec.js';
import { CONTAINER_PREFIX } from './sandbox-labels.codec.js';

/** How long a claim may sit between its steps before a reconcile takes it for a crashed gateway's. */
export const CLAIM_GRACE_MS = 60_000;

export interface PoolReconcileResult {
  adopted: string[];
  reaped: string[];
  problems: string[];
}

type Call = <T>(work: Promise<T>, what: string) => Promise<T>;

/**
 * At boot: finishes what crashed gateways left halfway through a claim, recycle or delete
 * (pool-member.codec.ts). Unclaimed members stay for the kernel's pool service; a member won by a
 * claim that never finished is removed, never handed out; claimed sandboxes without a matching
 * record or past their expiry are removed; claim records that describe no container go after
 * CLAIM_GRACE_MS. A claim creates its record while it renames to `sandboxed-claimed-<key>`, so
 * a won member seen here without a record is either abandoned or a claim a few milliseconds
 * old: removing the latter only fails that claim (its final rename finds nothing, and the create
 * goes cold); no member is ever handed out twice, since only the exclusive rename hands one out.
 */
export async function reconcilePool(
  docker: Docker,
  call: Call,
  now: Date,
  graceMs = CLAIM_GRACE_MS,
): Promise<PoolReconcileResult> {
  const result: PoolReconcileResult = { adopted: [], reaped: [], problems: [] };
  const containers = await call(docker.listContainers({ all: true, filters: { label: [POOL_LABELS.key] } }), 'list');
  const { Volumes } = await call(docker.listVolumes({ filters: { label: [POOL_LABELS.claim] } }), 'volume list');
  const volumes = (Volumes ?? []).map((v) => ({
    name: v.Name,
    labels: v.Labels ?? {},
    createdAt: Date.parse((v as { CreatedAt?: string }).CreatedAt ?? '') || 0,
  }));
  const young = (createdAt: number) => now.getTime() - createdAt < graceMs;
  const remove = async (name: string, what: string) => {
    try {
      await call(docker.getContainer(name).remove({ force: true, v: true }), 'remove');
      result.reaped.push(name);
    } catch (err) {
      if (httpStatusOf(err) !== 404) result.problems.push(`cannot remove ${what} ${name}: ${(err as Error).message}`);
    }
  };
  const kept = new Set<string>();
  for (const c of containers) {
    const name = c.Names?.[0]?.replace(/^\//, '') ?? '';
    const key = c.Labels?.[POOL_LABELS.key];
    if (!isPoolKey(key)) continue;
    if (name === poolName(key)) continue;
    if (name === recycleName(key)) {
      await remove(name, 'the recycled pool member');
    } else if (name === claimedName(key)) {
      const pending = volumes.some((v) => v.labels[POOL_LABELS.key] === key && young(v.createdAt));
      if (pending) kept.add(name);
      else await remove(name, 'the half-claimed pool member');
    } else if (name.startsWith(CONTAINER_PREFIX)) {
      const id = name.slice(CONTAINER_PREFIX.length);
      const volume = volumes.find((v) => v.labels[POOL_LABELS.claim] === id);
      const record = decodeClaim(id, { name, labels: c.Labels }, volume?.labels);
      if (record && record.expiresAt.getTime() > now.getTime()) {
        kept.add(name);
        result.adopted.push(id);
      } else {
        await remove(name, record ? 'the expired sandbox' : 'the pool sandbox without a claim record');
      }
    }
  }
  for (const v of volumes) {
    const id = v.labels[POOL_LABELS.claim] ?? '';
    const key = v.labels[POOL_LABELS.key] ?? '';
    if (kept.has(`${CONTAINER_PREFIX}${id}`) || (isPoolKey(key) && kept.has(claimedName(key))) || young(v.createdAt)) {
      continue;
    }
    try {
      await call(docker.getVolume(v.name).remove(), 'volume remove');
      result.reaped.push(v.name);
    } catch (err) {
      const status = httpStatusOf(err);
      // 409: in use, i.e. not a record after all; 404: removed meanwhile.
      if (status !== 404 && status !== 409)
        result.problems.push(`cannot remove claim record ${v.name}: ${(err as Error).message}`);
    }
  }
  return result;
}
