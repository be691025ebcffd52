import { randomBytes } from 'node:crypto';
import type Docker from 'dockerode';
import {
  assertValidSandboxId,
  type PoolFillSpec,
  type PoolMember,
  type SandboxInfo,
  type SandboxPoolDriver,
  type SandboxRecord,
  type SandboxSpec,
  type SandboxStatus,
  type SandboxedError,
} from '@sandboxed/plugin-sdk';
import type { ClaimRecords } from './claim-record.store.js';
import { createExclusiveVolume } from './claim-volume.exclusive.js';
import { buildContainerSpec } from './container-spec.builder.js';
import { statusOf as httpStatusOf } from './docker-error.mapper.js';
import type { DockerRuntimeOptions, DockerTemplate } from './docker-runtime.options.js';
import type { DiskLimitMode } from './disk-limit.js';
import {
  claimLabels,
  claimVolumeName,
  isPoolKey,
  memberLabels,
  poolName,
  POOL_LABELS,
  recycleLabels,
} from './pool-member.codec.js';
import { containerName, LABELS, statusOf } from './sandbox-labels.codec.js';

/** What the pool driver borrows from DockerRuntime. */
export interface DockerPoolHost {
  docker: Docker;
  options: DockerRuntimeOptions;
  claims: ClaimRecords;
  call<T>(work: Promise<T>, what: string): Promise<T>;
  mapError(err: unknown): SandboxedError;
  /** Creates and starts a container from `build` (with the engine's disk-limit fallback); returns its body. */
  start(
    template: string,
    build: (template: DockerTemplate, disk: DiskLimitMode) => Docker.ContainerCreateOptions,
  ): Promise<Docker.ContainerCreateOptions>;
  toInfo(record: SandboxRecord, status: SandboxStatus): SandboxInfo;
}

/**
 * Warm pools on Docker (pool-member.codec.ts has the names). A claim is two engine round trips:
 * create the member's claim record `sandboxed-claim-<key>`, which exactly one of any number of
 * racing claims and recycles gets to make (claim-volume.exclusive.ts), and then, the winner only,
 * rename `sandboxed-pool-<key>` to `sandboxed-<id>`. The rename decides nothing (renames of one
 * container to different names are not exclusive, which is why no claim renames before it has
 * won), so only one rename per claim is needed. A container has its sandbox name only once its
 * record exists. A recycle wins the record the same way, then removes the member and the record.
 */
export class DockerPoolDriver implements SandboxPoolDriver {
  /** Member labels by pool key, as last listed or filled: a claim needs them for the sandbox's resources. */
  private readonly known = new Map<string, Record<string, string>>();

  constructor(private readonly host: DockerPoolHost) {}

  templates(): string[] {
    return Object.keys(this.host.options.templates);
  }

  async fill(spec: PoolFillSpec): Promise<PoolMember> {
    const key = randomBytes(16).toString('hex');
    const createdAt = new Date();
    const seed: SandboxSpec = {
      id: key,
      owner: '',
      template: spec.template,
      env: {},
      labels: {},
      resources: spec.resources,
      expiresAt: spec.expiresAt,
    };
    const body = await this.host.start(spec.template, (template, disk) => {
      const cold = buildContainerSpec(seed, template, this.host.options, createdAt, disk);
      return { ...cold, name: poolName(key), Labels: memberLabels(cold.Labels ?? {}, spec.template, key) };
    });
    this.known.set(key, body.Labels ?? {});
    return { key, template: spec.template, createdAt, status: 'running' };
  }

  async members(): Promise<PoolMember[]> {
    let list: Docker.ContainerInfo[];
    let records: Docker.VolumeInspectInfo[];
    try {
      [list, { Volumes: records }] = await Promise.all([
        this.host.call(this.host.docker.listContainers({ all: true, filters: { label: [POOL_LABELS.key] } }), 'list'),
        this.host.call(this.host.docker.listVolumes({ filters: { label: [POOL_LABELS.key] } }), 'volume list'),
      ]);
    } catch (err) {
      throw this.host.mapError(err);
    }
    // A member with a record is claimed (its winner is renaming it) or being recycled.
    const taken = new Set((records ?? []).map((v) => v.Labels?.[POOL_LABELS.key]));
    const out: PoolMember[] = [];
    const seen = new Set<string>();
    for (const c of list) {
      const key = c.Labels?.[POOL_LABELS.key];
      const template = c.Labels?.[POOL_LABELS.pool];
      if (!isPoolKey(key) || !template || c.Names?.[0] !== `/${poolName(key)}` || taken.has(key)) continue;
      const createdAt = new Date(c.Labels[LABELS.createdAt] ?? '');
      seen.add(key);
      this.known.set(key, c.Labels);
      out.push({
        key,
        template,
        createdAt: Number.isNaN(createdAt.getTime()) ? new Date(c.Created * 1000) : createdAt,
        status: statusOf(c.State),
      });
    }
    for (const key of this.known.keys()) if (!seen.has(key)) this.known.delete(key);
    return out.sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime());
  }

  async claim(key: string, spec: SandboxSpec): Promise<SandboxInfo | undefined> {
    if (!isPoolKey(key)) return undefined;
    assertValidSandboxId(spec.id);
    const { docker, call } = this.host;
    const labels = claimLabels(spec, key, new Date());
    if (!(await this.win(key, labels, POOL_LABELS.claim))) return undefined;
    const name = containerName(spec.id);
    try {
      await call(docker.getContainer(poolName(key)).rename({ name }), 'rename');
    } catch (err) {
      const status = httpStatusOf(err);
      // 404: the member is gone (removed since it was listed); 409, 400: not renamed. Either way
      // nothing carries the sandbox's name, so the record goes (and a member left returns to the pool).
      if (status === 404 || status === 409 || status === 400) {
        await this.removeVolume(claimVolumeName(key));
        if (status === 404) return undefined;
      }
      // Otherwise (a timeout) the outcome is unknown: boot reconcile settles it by name and record.
      throw this.host.mapError(err);
    }
    const member = this.known.get(key) ?? (await this.inspectLabels(name));
    this.known.delete(key);
    const record = this.host.claims.remember({ id: spec.id, name, labels: member }, labels);
    if (!record) throw new Error(`claim of pool member ${key} left no readable record`);
    return this.host.toInfo(record, 'running');
  }

  async recycle(key: string): Promise<boolean> {
    if (!isPoolKey(key)) return false;
    const nonce = randomBytes(8).toString('hex');
    if (!(await this.win(key, recycleLabels(key, nonce), POOL_LABELS.recycle))) return false;
    this.known.delete(key);
    await this.removeContainer(poolName(key));
    await this.removeVolume(claimVolumeName(key));
    return true;
  }

  /** Makes the member's claim record with `labels`, unless another claim or recycle made it first. */
  private async win(key: string, labels: Record<string, string>, winner: string): Promise<boolean> {
    try {
      return await createExclusiveVolume(this.host.docker, this.host.call, claimVolumeName(key), labels, winner);
    } catch (err) {
      throw this.host.mapError(err);
    }
  }

  private async inspectLabels(name: string): Promise<Record<string, string>> {
    try {
      return (await this.host.call(this.host.docker.getContainer(name).inspect(), 'inspect')).Config.Labels ?? {};
    } catch (err) {
      throw this.host.mapError(err);
    }
  }

  private async removeContainer(name: string): Promise<void> {
    await this.host
      .call(this.host.docker.getContainer(name).remove({ force: true, v: true }), 'remove')
      .catch((err: unknown) => {
        if (httpStatusOf(err) !== 404) throw this.host.mapError(err);
      });
  }

  private async removeVolume(name: string): Promise<void> {
    await this.host.call(this.host.docker.getVolume(name).remove(), 'volume remove').catch(() => undefined);
  }
}
