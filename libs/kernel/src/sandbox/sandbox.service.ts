import { randomBytes } from 'node:crypto';
import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import {
  InvalidArgumentError,
  isValidSandboxId,
  NotFoundError,
  QuotaExceededError,
  type Principal,
  type SandboxInfo,
  type SandboxResources,
  type SandboxRuntime,
} from '@sandboxed/plugin-sdk';
import type { GatewayConfig } from '../config/config.schema.js';
import { GATEWAY_CONFIG } from '../kernel.tokens.js';
import { OwnerQuotaReservations } from './owner-quota.reservations.js';
import type { CreateSandboxInput, SandboxDto } from './sandbox.dto.js';
import { resolveResources } from './sandbox-resources.resolver.js';
import { DefaultRuntime } from './default-runtime.provider.js';
import { SandboxPoolService } from './sandbox-pool.service.js';

const LABEL_KEY = /^[A-Za-z0-9][A-Za-z0-9._/-]{0,62}$/;
const ENV_KEY = /^[A-Za-z_][A-Za-z0-9_]*$/;
const MAX_MAP_ENTRIES = 64;

function checkMap(name: string, map: Record<string, unknown> | undefined, keyPattern: RegExp, maxValue: number): void {
  if (!map) return;
  const entries = Object.entries(map);
  if (entries.length > MAX_MAP_ENTRIES) throw new InvalidArgumentError(`${name}: at most ${MAX_MAP_ENTRIES} entries`);
  for (const [k, v] of entries) {
    if (!keyPattern.test(k)) throw new InvalidArgumentError(`${name}: invalid key "${k}"`);
    if (typeof v !== 'string') throw new InvalidArgumentError(`${name}.${k}: must be a string`);
    if (v.length > maxValue) throw new InvalidArgumentError(`${name}.${k}: longer than ${maxValue} characters`);
  }
}

function sameResources(a: SandboxResources, b: SandboxResources): boolean {
  const keys = Object.keys({ ...a, ...b }) as (keyof SandboxResources)[];
  return keys.every((k) => a[k] === b[k]);
}

/** Owns the sandbox lifecycle and the tenancy rule: a sandbox is visible only to its owner. */
@Injectable()
export class SandboxService implements OnApplicationBootstrap {
  private readonly logger = new Logger('SandboxService');
  private readonly reservations = new OwnerQuotaReservations();
  /** Deletes in progress in this gateway, by sandbox id. */
  private readonly deleting = new Map<string, Promise<void>>();

  constructor(
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
    @Inject(DefaultRuntime) private readonly defaultRuntime: DefaultRuntime,
    @Inject(SandboxPoolService) private readonly pools: SandboxPoolService,
  ) {}

  onApplicationBootstrap(): void {
    this.runtime();
  }

  /** The runtime as capabilities see it: exec through each sandbox's agent where it runs. */
  runtime(): SandboxRuntime {
    return this.defaultRuntime.get();
  }

  async create(principal: Principal, input: CreateSandboxInput): Promise<SandboxInfo> {
    const cfg = this.config.sandbox;
    checkMap('labels', input.labels, LABEL_KEY, 256);
    if (Object.keys(input.labels ?? {}).some((k) => k.startsWith('sandboxed.'))) {
      throw new InvalidArgumentError('labels: the "sandboxed." prefix is reserved');
    }
    checkMap('env', input.env, ENV_KEY, 32768);
    const ttl = input.ttlSeconds ?? cfg.defaultTtlSeconds;
    if (ttl > cfg.maxTtlSeconds) throw new InvalidArgumentError(`ttlSeconds: at most ${cfg.maxTtlSeconds}`);
    const resources = resolveResources(input.resources, cfg.defaultResources, cfg.maxResources);
    const runtime = this.runtime();
    const id = randomBytes(16).toString('hex');
    const release = await this.reservations.reserve(principal.id, id, cfg.maxPerOwner, async () =>
      (await this.list(principal)).map((s) => s.id),
    );
    let info: SandboxInfo;
    try {
      const spec = {
        id,
        owner: principal.id,
        template: input.template ?? cfg.defaultTemplate,
        env: input.env ?? {},
        labels: input.labels ?? {},
        resources,
        expiresAt: new Date(Date.now() + ttl * 1000),
      };
      // A pool member runs with the default resources and no env; labels and expiry apply at claim.
      const warm = Object.keys(spec.env).length === 0 && sameResources(resources, cfg.defaultResources);
      info =
        (warm && this.pools.pooled(spec.template) ? await this.pools.claim(spec) : undefined) ??
        (await runtime.create(spec));
    } finally {
      release();
    }
    await this.recheckQuota(principal, info);
    return info;
  }

  /**
   * The reservation holds within this gateway; another replica may have filled the same slot at
   * the same time. Count again now that ours exists, and if the owner is over the quota give back
   * the sandbox this call created (never an older one a caller already has). Each create checks
   * after its own sandbox is visible, so of any two racing creates the later check sees both.
   */
  private async recheckQuota(principal: Principal, info: SandboxInfo): Promise<void> {
    const limit = this.config.sandbox.maxPerOwner;
    let live: number;
    try {
      live = (await this.list(principal)).length;
    } catch (err) {
      await this.discard(info, 'the quota re-check could not list sandboxes');
      throw err;
    }
    if (live <= limit) return;
    await this.discard(info, `owner ${principal.id} has ${live} sandboxes, over the limit of ${limit}`);
    throw new QuotaExceededError(
      `Sandbox limit ${limit} reached: creates through another gateway raced this one, which was removed again; delete a sandbox first`,
      { limit, live: live - 1 },
    );
  }

  private async discard(info: SandboxInfo, why: string): Promise<void> {
    this.logger.warn(`Destroying sandbox ${info.id} right after create: ${why}`);
    await this.runtime()
      .destroy(info.id)
      .catch((err: Error) => this.logger.error(`Could not destroy sandbox ${info.id}: ${err.message}`));
  }

  /** Resolves a sandbox the principal owns; anything else is indistinguishable from a missing one. */
  async getOwned(principal: Principal, id: string | undefined): Promise<SandboxInfo> {
    if (!isValidSandboxId(id)) throw new NotFoundError(`Sandbox ${String(id ?? '').slice(0, 128)} not found`);
    const info = this.deleting.has(id) ? undefined : await this.runtime().get(id);
    if (!info || info.owner !== principal.id || info.expiresAt.getTime() <= Date.now()) {
      throw new NotFoundError(`Sandbox ${id} not found`);
    }
    return info;
  }

  /**
   * After an operation on `id` failed unexpectedly: true when the sandbox is gone by now (deleted
   * here, by another replica, or expired), so the failure was the deletion racing it. Waits for a
   * delete this gateway has in progress first.
   */
  async wasDeleted(id: string): Promise<boolean> {
    await this.deleting.get(id)?.catch(() => undefined);
    try {
      const info = await this.runtime().get(id);
      return !info || info.expiresAt.getTime() <= Date.now();
    } catch {
      return false;
    }
  }

  async list(principal: Principal, labels?: Record<string, string>): Promise<SandboxInfo[]> {
    const all = await this.runtime().list({ owner: principal.id, labels });
    const now = Date.now();
    return all.filter((s) => s.owner === principal.id && s.expiresAt.getTime() > now);
  }

  async delete(principal: Principal, id: string): Promise<void> {
    const info = await this.getOwned(principal, id);
    const destroyed = this.runtime().destroy(info.id);
    this.deleting.set(info.id, destroyed);
    try {
      await destroyed;
    } finally {
      this.deleting.delete(info.id);
    }
    this.logger.log(`Destroyed sandbox ${info.id} (owner ${principal.id})`);
  }

  /** Destroys expired sandboxes of every owner. Returns how many it destroyed. */
  async reapExpired(now = Date.now()): Promise<number> {
    const runtime = this.runtime();
    let reaped = 0;
    for (const info of await runtime.list()) {
      if (info.expiresAt.getTime() > now) continue;
      try {
        await runtime.destroy(info.id);
        reaped++;
        this.logger.log(`Reaped expired sandbox ${info.id} (owner ${info.owner})`);
      } catch (err) {
        this.logger.warn(`Could not reap sandbox ${info.id}: ${(err as Error).message}`);
      }
    }
    return reaped;
  }

  toDto(info: SandboxInfo): SandboxDto {
    return {
      id: info.id,
      template: info.template,
      status: info.status,
      labels: info.labels,
      resources: info.resources,
      runtime: info.runtime,
      workdir: info.workdir,
      createdAt: info.createdAt.toISOString(),
      expiresAt: info.expiresAt.toISOString(),
    };
  }
}
