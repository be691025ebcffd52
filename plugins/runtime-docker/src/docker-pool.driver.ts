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
import { buildContainerSpec } from './container-spec.builder.js';
import { statusOf as httpStatusOf } from './docker-error.mapper.js';
import type { DockerRuntimeOptions, DockerTemplate } from './docker-runtime.options.js';
import type { DiskLimitMode } from './disk-limit.js';
import {
  claimedName,
  claimLabels,
  claimVolumeName,
  isPoolKey,
  memberLabels,
  poolName,
  POOL_LABELS,
  recycleName,
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

/** A rename refused because someone else renamed (claimed or recycled) the member first. */
function lostRace(err: unknown): boolean {
  const status = httpStatusOf(err);
  return status === 404 || status === 409 || status === 400;
}

/**
 * Warm pools on Docker (pool-member.codec.ts has the names). A claim is two engine round trips:
 * at once, create the claim volume and rename `sandboxed-pool-<key>` to the fixed
 * `sandboxed-claimed-<key>` (the engine lets exactly one of any number of concurrent renames to
 * one name succeed; renames of one container to different names can all succeed, so the fixed
 * name is what decides); then, the winner only, rename it to `sandboxed-<id>`. So a container
 * has its sandbox name only once its record exists. A recycle is the same race, to
 * `sandboxed-recycle-<key>`.
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
    try {
      list = await this.host.call(
        this.host.docker.listContainers({ all: true, filters: { label: [POOL_LABELS.key] } }),
        'list',
      );
    } catch (err) {
      throw this.host.mapError(err);
    }
    const out: PoolMember[] = [];
    const seen = new Set<string>();
    for (const c of list) {
      const key = c.Labels?.[POOL_LABELS.key];
      const template = c.Labels?.[POOL_LABELS.pool];
      if (!isPoolKey(key) || !template || c.Names?.[0] !== `/${poolName(key)}`) continue;
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
    const volume = claimVolumeName(spec.id);
    // The record and the win at once: the container gets its sandbox name only once both exist.
    const [recorded, won] = await Promise.allSettled([
      call(docker.createVolume({ Name: volume, Driver: 'local', Labels: labels }), 'volume create'),
      call(docker.getContainer(poolName(key)).rename({ name: claimedName(key) }), 'rename'),
    ]);
    if (won.status === 'rejected') {
      if (recorded.status === 'fulfilled') await this.removeVolume(volume);
      if (lostRace(won.reason)) return undefined;
      // Unknown outcome (a timeout): if the rename did happen, reconcile removes the record-less member.
      throw this.host.mapError(won.reason);
    }
    if (recorded.status === 'rejected') {
      // Ours alone now, so it can go back to the pool.
      await call(docker.getContainer(claimedName(key)).rename({ name: poolName(key) }), 'rename').catch(() =>
        this.removeContainer(claimedName(key)),
      );
      throw this.host.mapError(recorded.reason);
    }
    const name = containerName(spec.id);
    try {
      await call(docker.getContainer(claimedName(key)).rename({ name }), 'rename');
    } catch (err) {
      await this.removeContainer(claimedName(key));
      await this.removeVolume(volume);
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
    try {
      await this.host.call(this.host.docker.getContainer(poolName(key)).rename({ name: recycleName(key) }), 'rename');
    } catch (err) {
      if (lostRace(err)) return false;
      throw this.host.mapError(err);
    }
    this.known.delete(key);
    await this.removeContainer(recycleName(key));
    return true;
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
