import { randomBytes } from 'node:crypto';
import type { Readable } from 'node:stream';
import type Docker from 'dockerode';
import {
  assertValidSandboxId,
  poolSeedSpec,
  isValidSandboxId,
  NotFoundError,
  type ExecRequest,
  type ExecSession,
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
  /** The runtime's exec and putArchive on one container; `label` names it in errors. */
  execIn(container: Docker.Container, label: string, req: ExecRequest): Promise<ExecSession>;
  putArchiveIn(container: Docker.Container, label: string, dir: string, archive: Readable): Promise<void>;
}

/** How long after a claim its container gets its sandbox name (see DockerPoolDriver). */
export const RENAME_DELAY_MS = 1000;
/** A claim still not renamed this long after its record was made lost its gateway (renameOverdue). */
const OVERDUE_MS = 10_000;

/**
 * Warm pools on Docker (pool-member.codec.ts has the names). A claim is two engine round trips:
 * create the member's claim record `sandboxed-claim-<key>`, which exactly one of any number of
 * racing claims and recycles gets to make (claim-volume.exclusive.ts) and which is all a sandbox
 * needs to be found and owned, then inspect the member (it may have been removed since it was
 * listed). The container keeps its member name until, RENAME_DELAY_MS later and off the create's
 * path (a rename holds the container's lock, so the first exec would wait for it), the winner
 * renames it to `sandboxed-<id>`: other replicas then find it by name, and a deleted record can
 * no longer make it look like a member. Lookups find it by record until then; boot reconcile
 * finishes a rename a stopped gateway left. A recycle wins the record the same way, then removes
 * the member and the record.
 */
export class DockerPoolDriver implements SandboxPoolDriver {
  /** Renames not done yet, by pool key. */
  private readonly renames = new Map<string, { timer: NodeJS.Timeout; run: () => Promise<void> }>();

  constructor(private readonly host: DockerPoolHost) {}

  templates(): string[] {
    return Object.keys(this.host.options.templates);
  }

  async fill(spec: PoolFillSpec): Promise<PoolMember> {
    const key = randomBytes(16).toString('hex');
    const createdAt = new Date();
    const seed = poolSeedSpec(key, spec);
    await this.host.start(spec.template, (template, disk) => {
      const cold = buildContainerSpec(seed, template, this.host.options, createdAt, disk);
      return { ...cold, name: poolName(key), Labels: memberLabels(cold.Labels ?? {}, spec.template, key) };
    });
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
    // A member with a record is claimed (renamed a moment later) or being recycled.
    const taken = new Map((records ?? []).map((v) => [v.Labels?.[POOL_LABELS.key], v]));
    const out: PoolMember[] = [];
    for (const c of list) {
      const key = c.Labels?.[POOL_LABELS.key];
      const template = c.Labels?.[POOL_LABELS.pool];
      if (!isPoolKey(key) || !template || c.Names?.[0] !== `/${poolName(key)}`) continue;
      const record = taken.get(key);
      if (record) {
        this.renameOverdue(key, record);
        continue;
      }
      const createdAt = new Date(c.Labels[LABELS.createdAt] ?? '');
      out.push({
        key,
        template,
        createdAt: Number.isNaN(createdAt.getTime()) ? new Date(c.Created * 1000) : createdAt,
        status: statusOf(c.State),
      });
    }
    return out.sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime());
  }

  async claim(key: string, spec: SandboxSpec): Promise<SandboxInfo | undefined> {
    if (!isPoolKey(key)) return undefined;
    assertValidSandboxId(spec.id);
    const { docker, call } = this.host;
    const labels = claimLabels(spec, key, new Date());
    if (!(await this.win(key, labels, POOL_LABELS.claim))) return undefined;
    // Ours alone now. A member recycled after it was listed is gone: its record went after it.
    let member: Docker.ContainerInspectInfo | undefined;
    try {
      member = await call(docker.getContainer(poolName(key)).inspect(), 'inspect');
    } catch (err) {
      if (httpStatusOf(err) !== 404) {
        // Nothing names the sandbox yet, so giving the record back returns the member to the pool.
        await this.removeVolume(claimVolumeName(key));
        throw this.host.mapError(err);
      }
    }
    if (!member?.State.Running || member.Config.Labels?.[POOL_LABELS.key] !== key) {
      if (member) await this.removeContainer(member.Id);
      await this.removeVolume(claimVolumeName(key));
      return undefined;
    }
    const record = this.host.claims.remember(
      { id: spec.id, name: poolName(key), labels: member.Config.Labels, ref: member.Id },
      labels,
    );
    if (!record) throw new Error(`claim of pool member ${key} left no readable record`);
    this.renameSoon(key, spec.id);
    return this.host.toInfo(record, 'running');
  }

  async recycle(key: string): Promise<boolean> {
    if (!isPoolKey(key)) return false;
    const nonce = randomBytes(8).toString('hex');
    if (!(await this.win(key, recycleLabels(key, nonce), POOL_LABELS.recycle))) return false;
    await this.removeContainer(poolName(key));
    await this.removeVolume(claimVolumeName(key));
    return true;
  }

  async execMember(key: string, req: ExecRequest): Promise<ExecSession> {
    const [container, label] = await this.unclaimed(key);
    return this.host.execIn(container, label, req);
  }

  async putMemberArchive(key: string, dir: string, archive: Readable): Promise<void> {
    const [container, label] = await this.unclaimed(key);
    return this.host.putArchiveIn(container, label, dir, archive);
  }

  /**
   * An unclaimed member's container, by engine id: a session started in it keeps working (and
   * can be killed) after a claim renames it.
   */
  private async unclaimed(key: string): Promise<[Docker.Container, string]> {
    const label = `pool member ${String(key).slice(0, 64)}`;
    if (!isPoolKey(key)) throw new NotFoundError(`No ${label}`);
    let member: Docker.ContainerInspectInfo;
    try {
      member = await this.host.call(this.host.docker.getContainer(poolName(key)).inspect(), 'inspect');
    } catch (err) {
      throw httpStatusOf(err) === 404 ? new NotFoundError(`No ${label}`) : this.host.mapError(err);
    }
    if (member.Config.Labels?.[POOL_LABELS.key] !== key) throw new NotFoundError(`No ${label}`);
    return [this.host.docker.getContainer(member.Id), label];
  }

  /** Gives the claimed containers their sandbox names now (at shutdown) instead of RENAME_DELAY_MS after their claims. */
  async flush(): Promise<void> {
    await Promise.all([...this.renames.values()].map((r) => r.run()));
  }

  /**
   * A claim still under its member's name long after its claim: its gateway stopped before the
   * rename. Any gateway's pool pass does it then, so it does not wait for a boot.
   */
  private renameOverdue(key: string, record: Docker.VolumeInspectInfo): void {
    const id = record.Labels?.[POOL_LABELS.claim];
    const madeAt = Date.parse((record as { CreatedAt?: string }).CreatedAt ?? '');
    if (!isValidSandboxId(id) || this.renames.has(key) || !(Date.now() - madeAt > OVERDUE_MS)) return;
    this.renameSoon(key, id, 0);
  }

  private renameSoon(key: string, id: string, delayMs = RENAME_DELAY_MS): void {
    const run = async (): Promise<void> => {
      if (!this.renames.delete(key)) return;
      clearTimeout(timer);
      // 404: deleted meanwhile; 400, 409: a reconcile renamed it first. Otherwise boot reconcile renames it.
      await this.host
        .call(this.host.docker.getContainer(poolName(key)).rename({ name: containerName(id) }), 'rename')
        .catch(() => undefined);
    };
    const timer = setTimeout(() => void run(), delayMs);
    timer.unref();
    this.renames.set(key, { timer, run });
  }

  /** Makes the member's claim record with `labels`, unless another claim or recycle made it first. */
  private async win(key: string, labels: Record<string, string>, winner: string): Promise<boolean> {
    const { docker, call } = this.host;
    try {
      return await createExclusiveVolume(docker, call, claimVolumeName(key), labels, winner);
    } catch (err) {
      // Unknown outcome (a timeout): a record that is ours after all is given back, so the member
      // is neither claimed by no one nor stuck.
      await call(docker.getVolume(claimVolumeName(key)).inspect(), 'volume inspect')
        .then(async (v) => {
          if ((v as { Labels?: Record<string, string> }).Labels?.[winner] === labels[winner]) {
            await this.removeVolume(claimVolumeName(key));
          }
        })
        .catch(() => undefined);
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
