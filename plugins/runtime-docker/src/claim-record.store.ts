import type Docker from 'dockerode';
import type { SandboxRecord } from '@sandboxed/plugin-sdk';
import { statusOf as httpStatusOf } from './docker-error.mapper.js';
import { LABELS } from './sandbox-labels.codec.js';
import { claimVolumeName, decodeClaim, isPoolKey, POOL_LABELS } from './pool-member.codec.js';

export interface ClaimedContainer {
  id: string;
  name: string;
  labels: Record<string, string> | undefined;
}

type Call = <T>(work: Promise<T>, what: string) => Promise<T>;

const MAX_CACHED = 10_000;

/**
 * The records of claimed pool sandboxes, read from their claim record volumes (named after the
 * member's pool key). Volume labels never change and a pool key is never reused, so a record once
 * read is kept (by sandbox id and pool key) and a claimed sandbox costs what a cold one does: one
 * inspect of its container.
 */
export class ClaimRecords {
  private readonly cache = new Map<string, { key: string; record: SandboxRecord }>();

  constructor(
    private readonly docker: Docker,
    private readonly call: Call,
  ) {}

  async one(container: ClaimedContainer): Promise<SandboxRecord | undefined> {
    const hit = this.cached(container);
    if (hit) return hit;
    const key = container.labels?.[POOL_LABELS.key];
    if (!isPoolKey(key)) return undefined;
    let labels: Record<string, string> | undefined;
    try {
      const volume = (await this.call(this.docker.getVolume(claimVolumeName(key)).inspect(), 'volume inspect')) as {
        Labels?: Record<string, string>;
      };
      labels = volume.Labels ?? undefined;
    } catch (err) {
      if (httpStatusOf(err) === 404) return undefined;
      throw err;
    }
    return this.remember(container, labels);
  }

  /** Records of many claimed containers (of `owner` only, when given): one volume list for those not cached. */
  async many(containers: ClaimedContainer[], owner?: string): Promise<Map<string, SandboxRecord>> {
    const out = new Map<string, SandboxRecord>();
    const missing: ClaimedContainer[] = [];
    for (const c of containers) {
      const hit = this.cached(c);
      if (hit) out.set(c.id, hit);
      else missing.push(c);
    }
    if (missing.length === 0) return out;
    const filters = [POOL_LABELS.claim, ...(owner !== undefined ? [`${LABELS.owner}=${owner}`] : [])];
    const { Volumes } = await this.call(this.docker.listVolumes({ filters: { label: filters } }), 'volume list');
    const byId = new Map((Volumes ?? []).map((v) => [v.Labels?.[POOL_LABELS.claim], v.Labels ?? undefined]));
    for (const c of missing) {
      const record = this.remember(c, byId.get(c.id));
      if (record) out.set(c.id, record);
    }
    return out;
  }

  /** The pool key of the claim record that names sandbox `id`, if there is one (a delete removes it). */
  async keyOf(id: string): Promise<string | undefined> {
    const hit = this.cache.get(id);
    if (hit) return hit.key;
    const { Volumes } = await this.call(
      this.docker.listVolumes({ filters: { label: [`${POOL_LABELS.claim}=${id}`] } }),
      'volume list',
    );
    const key = Volumes?.[0]?.Labels?.[POOL_LABELS.key];
    return isPoolKey(key) ? key : undefined;
  }

  /** Primes the cache right after a claim wrote `labels`. */
  remember(container: ClaimedContainer, labels: Record<string, string> | undefined): SandboxRecord | undefined {
    const record = decodeClaim(container.id, container, labels);
    if (!record) return undefined;
    if (this.cache.size >= MAX_CACHED) this.cache.delete(this.cache.keys().next().value!);
    this.cache.set(container.id, { key: container.labels![POOL_LABELS.key]!, record });
    return record;
  }

  forget(id: string): void {
    this.cache.delete(id);
  }

  private cached(container: ClaimedContainer): SandboxRecord | undefined {
    const hit = this.cache.get(container.id);
    return hit && hit.key === container.labels?.[POOL_LABELS.key] ? hit.record : undefined;
  }
}
