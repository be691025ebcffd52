import { randomBytes } from 'node:crypto';
import {
  assertValidSandboxId,
  isValidSandboxId,
  type PoolFillSpec,
  type PoolMember,
  type SandboxInfo,
  type SandboxPoolDriver,
  type SandboxSpec,
  type SandboxStatus,
} from '@sandboxed/plugin-sdk';
import { fillEntry, isPoolKey, parsePoolEntry, poolEntry, recycleEntry, slotName } from './pool-entry.names.js';
import type { SandboxMeta, SandboxMetaStore } from './sandbox-meta.store.js';

/** What the pool driver borrows from LocalRuntime. */
export interface LocalPoolHost {
  store: SandboxMetaStore;
  /** Makes directory `name` a running sandbox as `meta` says (create's checks; nothing left on failure). */
  build(name: string, meta: SandboxMeta): Promise<void>;
  /** Kills, releases and removes what directory `name` holds (`known`: a newer copy of its meta.json than the disk has). */
  tearDown(name: string, known?: SandboxMeta): Promise<void>;
  statusOf(meta: SandboxMeta): Promise<SandboxStatus>;
  toInfo(meta: SandboxMeta, status: SandboxStatus): SandboxInfo;
  log(message: string): void;
}

/** How long a claim or recycle may sit half done before a sweep takes it for a dead gateway's. */
export const POOL_SWEEP_GRACE_MS = 60_000;
const SWEEP_EVERY_MS = 30_000;

function code(err: unknown): string | undefined {
  return (err as NodeJS.ErrnoException).code;
}

/**
 * Warm pools on the local runtime (pool-entry.names.ts has the layout). A claim is one rename(2)
 * of the member's directory, `.pool-<key>` to `<id>`, then a write of its meta.json naming the
 * id and owner: of racing claims and recycles (in any process sharing the data dir) exactly one
 * rename finds the source, and the sandbox is visible only once its meta.json names its
 * directory, so a claim cut short is invisible until a sweep removes it. The rename changes no
 * mount: the holder bound the workspace by file descriptor, and a loop-mounted workspace moves
 * with its parent directory.
 */
export class LocalPoolDriver implements SandboxPoolDriver {
  private sweeping?: Promise<void>;
  private lastSweep = 0;

  constructor(private readonly host: LocalPoolHost) {}

  /** Local sandboxes have no templates: every name is the same sandbox, so a pool may name any. */
  templates(): undefined {
    return undefined;
  }

  async fill(spec: PoolFillSpec): Promise<PoolMember> {
    const key = randomBytes(16).toString('hex');
    const slot = slotName(key);
    const createdAt = new Date();
    const meta: SandboxMeta = {
      // No sandbox id and no owner: store.read finds nothing by this id, which names no directory.
      id: slot,
      owner: '',
      template: spec.template,
      labels: {},
      env: {},
      resources: { ...spec.resources },
      createdAt: createdAt.toISOString(),
      expiresAt: new Date(spec.expiresAt).toISOString(),
      slot,
      pool: spec.template,
    };
    await this.host.build(fillEntry(key), meta);
    try {
      await this.host.store.move(fillEntry(key), poolEntry(key));
    } catch (err) {
      // ENOENT: recycled while it started (a stuck fill); the recycle removes it.
      if (code(err) !== 'ENOENT') await this.host.tearDown(fillEntry(key), meta).catch(() => undefined);
      throw new Error(`pool member ${key} could not be readied: ${(err as Error).message}`, { cause: err });
    }
    return { key, template: spec.template, createdAt, status: 'running' };
  }

  async members(): Promise<PoolMember[]> {
    this.sweepSoon();
    const out: PoolMember[] = [];
    for (const name of await this.host.store.entries()) {
      const entry = parsePoolEntry(name);
      if (!entry || entry.state === 'recycle') continue;
      // A fill writes meta.json right after making its directory; until then it is nothing yet.
      const meta = await this.host.store.readEntry(name);
      if (!meta?.pool || meta.slot !== slotName(entry.key)) continue;
      const createdAt = new Date(meta.createdAt);
      out.push({
        key: entry.key,
        template: meta.pool,
        createdAt: Number.isNaN(createdAt.getTime()) ? new Date(0) : createdAt,
        status: entry.state === 'fill' ? 'starting' : await this.host.statusOf(meta),
      });
    }
    return out.sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime());
  }

  async claim(key: string, spec: SandboxSpec): Promise<SandboxInfo | undefined> {
    if (!isPoolKey(key)) return undefined;
    assertValidSandboxId(spec.id);
    const { store } = this.host;
    try {
      await store.move(poolEntry(key), spec.id);
    } catch (err) {
      if (code(err) === 'ENOENT') return undefined; // claimed or recycled first
      throw err;
    }
    // Ours alone now, and invisible until meta.json names the id.
    const member = await store.readEntry(spec.id);
    try {
      if (!member || member.slot !== slotName(key)) throw new Error(`pool member ${key} has no readable record`);
      const meta: SandboxMeta = {
        ...member,
        id: spec.id,
        owner: spec.owner,
        labels: { ...spec.labels },
        env: { ...spec.env },
        createdAt: new Date().toISOString(),
        expiresAt: new Date(spec.expiresAt).toISOString(),
      };
      await store.write(meta);
      return this.host.toInfo(meta, await this.host.statusOf(meta));
    } catch (err) {
      await this.host.tearDown(spec.id, member).catch(() => undefined);
      throw err;
    }
  }

  async recycle(key: string): Promise<boolean> {
    if (!isPoolKey(key)) return false;
    // A stuck fill (the kernel recycles members left starting) is recycled the same way.
    for (const from of [poolEntry(key), fillEntry(key)]) {
      try {
        await this.host.store.move(from, recycleEntry(key));
      } catch (err) {
        if (code(err) === 'ENOENT') continue;
        throw err;
      }
      await this.host.tearDown(recycleEntry(key));
      return true;
    }
    return false;
  }

  /**
   * Removes what dead gateways left: recycles they did not finish, claims cut short between the
   * rename and the record (a directory `<id>` whose meta.json is still the member's), and fills
   * that never wrote their record; each only once it has not changed for POOL_SWEEP_GRACE_MS, so
   * a claim or recycle under way in another process is never touched.
   */
  async sweep(now = Date.now()): Promise<void> {
    const { store } = this.host;
    for (const name of await store.entries()) {
      const what = await this.leftover(name);
      if (!what) continue;
      const changed = await store.changedAt(name);
      if (!changed || now - changed.getTime() < POOL_SWEEP_GRACE_MS) continue;
      this.host.log(`runtime-local: removing ${name}, ${what} a stopped gateway left`);
      await this.host
        .tearDown(name)
        .catch((err: Error) => this.host.log(`runtime-local: cannot remove ${name}: ${err.message}`));
    }
  }

  /** What a data dir entry is, if it is a pool step some gateway did not finish. */
  private async leftover(name: string): Promise<string | undefined> {
    const entry = parsePoolEntry(name);
    if (entry?.state === 'recycle') return 'a recycled pool member';
    if (entry?.state === 'pool' || (!entry && !isValidSandboxId(name))) return undefined;
    const meta = await this.host.store.readEntry(name);
    // A fill with its record is listed as starting, and the kernel recycles it if it stays so.
    if (entry) return meta ? undefined : 'a pool member whose fill never recorded it';
    return meta?.pool !== undefined && meta.id !== name ? 'a claim of a pool member' : undefined;
  }

  /** A sweep at most every SWEEP_EVERY_MS, in the background of the kernel's pool passes. */
  private sweepSoon(): void {
    if (this.sweeping || Date.now() - this.lastSweep < SWEEP_EVERY_MS) return;
    this.lastSweep = Date.now();
    this.sweeping = this.sweep()
      .catch((err: Error) => this.host.log(`runtime-local: pool sweep failed: ${err.message}`))
      .finally(() => (this.sweeping = undefined));
  }
}
