import type Docker from 'dockerode';
import type { SandboxRecord } from '@sandboxed/plugin-sdk';
import { statusOf as httpStatusOf } from './docker-error.mapper.js';
import { LABELS } from './sandbox-labels.codec.js';
import { claimVolumeName, decodeClaim, isPoolKey, POOL_LABELS } from './pool-member.codec.js';

export interface ClaimedContainer {
  /** The sandbox id. */
  id: string;
  name: string;
  labels: Record<string, string> | undefined;
  /** The engine's container id: it stays when the claim renames the container. */
  ref?: string;
}

type Call = <T>(work: Promise<T>, what: string) => Promise<T>;

const MAX_CACHED = 10_000;

/**
 * The records of claimed pool sandboxes, read from their claim record volumes (named after the
 * member's pool key). Volume labels never change and a pool key is never reused, so a record once
 * read is kept, by sandbox id, with its pool key and its container's engine id: an operation on a
 * claimed sandbox then costs what one on a cold sandbox does, before and after its rename.
 */
export class ClaimRecords {
  private readonly cache = new Map<string, { key: string; record: SandboxRecord; ref?: string }>();

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

  /** The pool key of the claim record that names sandbox `id`, if there is one: cached, or one volume list. */
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

  /** Every claim record (of `owner` only, when given) by pool key: one volume list. */
  async byKey(owner?: string): Promise<Map<string, Record<string, string>>> {
    const filters = [POOL_LABELS.claim, ...(owner !== undefined ? [`${LABELS.owner}=${owner}`] : [])];
    const { Volumes } = await this.call(this.docker.listVolumes({ filters: { label: filters } }), 'volume list');
    const out = new Map<string, Record<string, string>>();
    for (const v of Volumes ?? []) {
      const key = v.Labels?.[POOL_LABELS.key];
      if (isPoolKey(key) && v.Name === claimVolumeName(key)) out.set(key, v.Labels);
    }
    return out;
  }

  /** The engine id of sandbox `id`'s container, once known here. */
  ref(id: string): string | undefined {
    return this.cache.get(id)?.ref;
  }

  /** Keeps the record `labels` describe, if it and `container` agree (right after a claim wrote it, or a list read it). */
  remember(container: ClaimedContainer, labels: Record<string, string> | undefined): SandboxRecord | undefined {
    const record = decodeClaim(container.id, container, labels);
    if (!record) return undefined;
    if (this.cache.size >= MAX_CACHED) this.cache.delete(this.cache.keys().next().value!);
    const ref = container.ref ?? this.cache.get(container.id)?.ref;
    this.cache.set(container.id, { key: container.labels![POOL_LABELS.key]!, record, ...(ref ? { ref } : {}) });
    return record;
  }

  forget(id: string): void {
    this.cache.delete(id);
  }

  private cached(container: ClaimedContainer): SandboxRecord | undefined {
    const hit = this.cache.get(container.id);
    if (!hit || hit.key !== container.labels?.[POOL_LABELS.key]) return undefined;
    if (container.ref && !hit.ref) hit.ref = container.ref;
    return hit.record;
  }
}
