/**
 * Warm-pool state in the local data dir (docs/operators.md, "Warm pools on the local runtime").
 * A member is a sandbox directory whose name says its state; the only step that changes who may
 * use it is one rename(2) of that directory, which the kernel performs atomically for every
 * process on the host, so of any number of claims and recycles of one member exactly one finds it:
 *
 *   .fill-<key>     being set up (cgroup, workspace, holder); listed as starting
 *   .pool-<key>     ready and unclaimed: no id, no owner, so no listing or lookup finds it
 *   <id>            the claimed sandbox, found by id like a cold one once its meta.json names <id>
 *   .recycle-<key>  won by a recycle, about to be removed
 *
 * A member's host resources (holder tag, cgroup) are named by its slot, `pool-<key>`, for life:
 * they cannot be renamed, so a claimed sandbox's meta.json records the slot next to its id.
 */
export const FILL_PREFIX = '.fill-';
export const POOL_PREFIX = '.pool-';
export const RECYCLE_PREFIX = '.recycle-';

const KEY = /^[0-9a-f]{32}$/;

export type PoolEntryState = 'fill' | 'pool' | 'recycle';

export function isPoolKey(key: unknown): key is string {
  return typeof key === 'string' && KEY.test(key);
}

export const fillEntry = (key: string): string => `${FILL_PREFIX}${key}`;
export const poolEntry = (key: string): string => `${POOL_PREFIX}${key}`;
export const recycleEntry = (key: string): string => `${RECYCLE_PREFIX}${key}`;
/** The name a member's holder and cgroup carry, before and after its claim. */
export const slotName = (key: string): string => `pool-${key}`;

/** The state and key of a pool entry's directory name, or undefined for any other name. */
export function parsePoolEntry(name: string): { state: PoolEntryState; key: string } | undefined {
  for (const [prefix, state] of [
    [FILL_PREFIX, 'fill'],
    [POOL_PREFIX, 'pool'],
    [RECYCLE_PREFIX, 'recycle'],
  ] as const) {
    if (name.startsWith(prefix) && isPoolKey(name.slice(prefix.length)))
      return { state, key: name.slice(prefix.length) };
  }
  return undefined;
}
