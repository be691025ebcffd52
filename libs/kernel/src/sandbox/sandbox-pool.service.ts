import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { type PoolMember, type SandboxInfo, type SandboxPoolDriver, type SandboxSpec } from '@sandboxed/plugin-sdk';
import type { GatewayConfig, SandboxPoolConfig } from '../config/config.schema.js';
import { GATEWAY_CONFIG } from '../kernel.tokens.js';
import { DefaultRuntime } from './default-runtime.provider.js';

/** Unclaimed members older than this are recycled when a pool sets no maxAgeSeconds. */
export const DEFAULT_POOL_MAX_AGE_SECONDS = 3600;
/** Pool members one gateway starts at once (the engine's create+start is CPU-heavy). */
const FILL_PARALLEL = 3;
const TICK_MS = 5000;
const CLAIM_TRIES = 6;
/**
 * A refill waits until claims have paused this long, so a burst of claims does not queue behind
 * the engine's container creates (which hold its locks); it starts at once when a pool is below half.
 */
const REFILL_QUIET_MS = 1000;
const MAX_BACKOFF_MS = 60_000;
/** A member still starting this long after it was made was left by a fill that died (a killed gateway). */
const STARTING_GRACE_MS = 120_000;

/**
 * The warm pools of `sandbox.pools`: keeps `size` ready members of each template on the runtime
 * (`SandboxRuntime.pool`), hands one to a create that can take it, refills in the background
 * and recycles members older than maxAgeSeconds and those of templates without a pool. The
 * runtime makes each claim and recycle atomic across replicas; this service only keeps a local
 * view of the ready members to try first, so a claim is usually the runtime's claim alone.
 */
@Injectable()
export class SandboxPoolService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('SandboxPool');
  private readonly pools = new Map<string, SandboxPoolConfig>();
  /** Ready members by template, as last seen: candidates for the next claims. */
  private readonly ready = new Map<string, PoolMember[]>();
  private readonly filling = new Map<string, number>();
  private readonly fills = new Set<Promise<void>>();
  private readonly failures = new Map<string, { count: number; until: number }>();
  private refreshing?: Promise<void>;
  private running?: Promise<void>;
  private rerun = false;
  private timer?: NodeJS.Timeout;
  private refill?: NodeJS.Timeout;
  private closed = false;

  constructor(
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
    @Inject(DefaultRuntime) private readonly defaultRuntime: DefaultRuntime,
  ) {}

  onApplicationBootstrap(): void {
    const pools = this.config.sandbox.pools ?? [];
    if (pools.length === 0) return;
    const runtime = this.defaultRuntime.find();
    const driver = runtime?.pool;
    if (!driver) {
      this.logger.warn(
        `sandbox.pools: runtime "${this.config.runtime.default}" has no warm-pool support; every create is cold`,
      );
      return;
    }
    const known = driver.templates();
    pools.forEach((pool, i) => {
      if (known && !known.includes(pool.template)) {
        throw new Error(
          `sandbox.pools.${i}.template: "${pool.template}" is not a template of runtime ${runtime!.name} (templates: ${known.join(', ')})`,
        );
      }
      this.pools.set(pool.template, pool);
    });
    const shortestAge = Math.min(...pools.map((p) => this.maxAgeMs(p)));
    this.timer = setInterval(() => this.kick(), Math.max(250, Math.min(TICK_MS, shortestAge / 2)));
    this.timer.unref();
    this.kick();
  }

  async onApplicationShutdown(): Promise<void> {
    this.closed = true;
    clearInterval(this.timer);
    clearTimeout(this.refill);
    await this.running;
    await Promise.allSettled([...this.fills]);
  }

  /** Whether a create of `template` may be served from a pool. */
  pooled(template: string): boolean {
    return this.pools.has(template) && this.driver() !== undefined;
  }

  /**
   * Turns a ready member into the sandbox `spec` describes (its template and the default
   * resources), or resolves undefined when the pool has none ready: the caller then creates cold.
   */
  async claim(spec: SandboxSpec): Promise<SandboxInfo | undefined> {
    const driver = this.driver();
    const pool = this.pools.get(spec.template);
    if (!driver || !pool || this.closed) return undefined;
    try {
      for (let attempt = 0; attempt < CLAIM_TRIES; attempt++) {
        let candidates = this.ready.get(spec.template) ?? [];
        if (candidates.length === 0) {
          if (attempt > 0) break;
          await this.refresh(driver);
          candidates = this.ready.get(spec.template) ?? [];
          if (candidates.length === 0) break;
        }
        // A random pick: replicas (and parallel claims here) rarely race for the same member.
        const [member] = candidates.splice(Math.floor(Math.random() * candidates.length), 1);
        if (this.aged(member!, pool)) continue;
        const info = await driver.claim(member!.key, spec);
        if (info) {
          this.logger.debug?.(`Claimed pool member ${member!.key} as sandbox ${spec.id}`);
          return info;
        }
      }
      return undefined;
    } catch (err) {
      this.logger.warn(`Pool claim for ${spec.template} failed, creating cold: ${(err as Error).message}`);
      return undefined;
    } finally {
      this.scheduleRefill(pool);
    }
  }

  private scheduleRefill(pool: SandboxPoolConfig): void {
    clearTimeout(this.refill);
    if ((this.ready.get(pool.template)?.length ?? 0) * 2 < pool.size) return this.kick();
    this.refill = setTimeout(() => this.kick(), REFILL_QUIET_MS);
    this.refill.unref();
  }

  private driver(): SandboxPoolDriver | undefined {
    return this.defaultRuntime.find()?.pool;
  }

  private maxAgeMs(pool: SandboxPoolConfig): number {
    return (pool.maxAgeSeconds ?? DEFAULT_POOL_MAX_AGE_SECONDS) * 1000;
  }

  private aged(member: PoolMember, pool: SandboxPoolConfig, now = Date.now()): boolean {
    return member.createdAt.getTime() + this.maxAgeMs(pool) <= now;
  }

  /** Re-reads the members from the runtime (one call shared by concurrent claims). */
  private refresh(driver: SandboxPoolDriver): Promise<void> {
    this.refreshing ??= driver
      .members()
      .then((members) => {
        const byTemplate = new Map<string, PoolMember[]>();
        for (const m of members) {
          const pool = this.pools.get(m.template);
          if (!pool || m.status !== 'running' || this.aged(m, pool)) continue;
          byTemplate.set(m.template, [...(byTemplate.get(m.template) ?? []), m]);
        }
        this.ready.clear();
        for (const [template, list] of byTemplate) this.ready.set(template, list);
        return members;
      })
      .then(() => undefined)
      .finally(() => (this.refreshing = undefined));
    return this.refreshing;
  }

  /** Runs a maintenance pass now, or right after the one running. */
  private kick(): void {
    if (this.closed) return;
    if (this.running) {
      this.rerun = true;
      return;
    }
    this.running = this.pass()
      .catch((err: Error) => this.logger.warn(`Pool pass failed: ${err.message}`))
      .finally(() => {
        this.running = undefined;
        if (this.rerun) {
          this.rerun = false;
          this.kick();
        }
      });
  }

  private async pass(): Promise<void> {
    const driver = this.driver();
    if (!driver) return;
    const members = await driver.members();
    const now = Date.now();
    const live = new Map<string, number>();
    const fresh = new Map<string, PoolMember[]>();
    const recycle: PoolMember[] = [];
    for (const m of members) {
      const pool = this.pools.get(m.template);
      const stuck = m.status === 'starting' && m.createdAt.getTime() + STARTING_GRACE_MS <= now;
      if (!pool || this.aged(m, pool, now) || stuck || m.status === 'stopped' || m.status === 'error') {
        recycle.push(m);
        continue;
      }
      live.set(m.template, (live.get(m.template) ?? 0) + 1);
      if (m.status === 'running') fresh.set(m.template, [...(fresh.get(m.template) ?? []), m]);
    }
    this.ready.clear();
    for (const [template, list] of fresh) this.ready.set(template, list);
    for (const m of recycle) {
      if (this.closed) return;
      try {
        if (await driver.recycle(m.key)) this.logger.log(`Recycled pool member ${m.key} (${m.template})`);
      } catch (err) {
        this.logger.warn(`Could not recycle pool member ${m.key}: ${(err as Error).message}`);
      }
    }
    for (const [template, pool] of this.pools) {
      const missing = pool.size - (live.get(template) ?? 0) - (this.filling.get(template) ?? 0);
      for (let i = 0; i < missing && this.fills.size < FILL_PARALLEL; i++) this.fill(driver, pool, now);
    }
  }

  private fill(driver: SandboxPoolDriver, pool: SandboxPoolConfig, now: number): void {
    const failure = this.failures.get(pool.template);
    if (this.closed || (failure && failure.until > now)) return;
    const { template } = pool;
    this.filling.set(template, (this.filling.get(template) ?? 0) + 1);
    const cfg = this.config.sandbox;
    const work = driver
      .fill({
        template,
        resources: { ...cfg.defaultResources },
        expiresAt: new Date(now + this.maxAgeMs(pool) + cfg.maxTtlSeconds * 1000),
      })
      .then(
        (member) => {
          this.failures.delete(template);
          if (!this.closed) this.ready.set(template, [...(this.ready.get(template) ?? []), member]);
        },
        (err: Error) => {
          const count = (this.failures.get(template)?.count ?? 0) + 1;
          const wait = Math.min(MAX_BACKOFF_MS, 1000 * 2 ** count);
          this.failures.set(template, { count, until: Date.now() + wait });
          this.logger.warn(`Could not fill the ${template} pool (retry in ${wait / 1000} s): ${err.message}`);
        },
      )
      .finally(() => {
        this.filling.set(template, (this.filling.get(template) ?? 1) - 1);
        this.fills.delete(work);
        this.kick();
      });
    this.fills.add(work);
  }
}
