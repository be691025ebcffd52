import type { Readable } from 'node:stream';
import type {
  ExecRequest,
  ExecSession,
  SandboxInfo,
  SandboxResources,
  SandboxSpec,
  SandboxStatus,
} from './runtime.types.js';

/** An unclaimed, ready sandbox of a warm pool. It belongs to nobody and is no sandbox yet. */
export interface PoolMember {
  /**
   * The runtime's opaque handle for this member as it was listed (not a sandbox id). A claim or
   * recycle with a handle whose member changed since (claimed, recycled) fails instead of acting.
   */
  key: string;
  template: string;
  /** When the member was started: the pool's maxAgeSeconds counts from here. */
  createdAt: Date;
  status: SandboxStatus;
}

/** What one pool member is started with: always the gateway's default resources, never a caller's. */
export interface PoolFillSpec {
  template: string;
  resources: SandboxResources;
  /**
   * The latest a member (and the sandbox it becomes) may live, for the runtime's own backstop
   * (a pod's activeDeadlineSeconds); the kernel recycles members long before and reaps by expiry.
   */
  expiresAt: Date;
}

/**
 * Warm pools, optional on a runtime (`SandboxRuntime.pool`): a runtime without it never pools.
 * The kernel owns the pools (fill, refill, claim, recycle, per `sandbox.pools`); the runtime only
 * makes each step atomic on its engine, so that any number of gateway replicas, and one restarted
 * halfway through a step, never hand one member to two callers.
 */
export interface SandboxPoolDriver {
  /**
   * Template names this runtime knows (a pool naming another one stops boot), or undefined when
   * the runtime has no templates and every name gives the same sandbox (runtime-local).
   */
  templates(): string[] | undefined;
  /** Starts one member and resolves when it is ready to be claimed. */
  fill(spec: PoolFillSpec): Promise<PoolMember>;
  /** Every unclaimed member on the engine, of every template and every gateway. */
  members(): Promise<PoolMember[]>;
  /**
   * Atomically turns `member` into the sandbox `spec` describes: its id, owner, labels and
   * expiresAt apply from now on, while template and resources stay as filled (the kernel claims
   * only for creates that asked for the defaults and no env). The owner, labels and expiry must
   * come from engine state the sandbox cannot change. Resolves undefined, having changed
   * nothing, when another caller claimed or recycled the member first.
   */
  claim(member: string, spec: SandboxSpec): Promise<SandboxInfo | undefined>;
  /** Removes an unclaimed member; false (and nothing removed) when it was claimed first. */
  recycle(member: string): Promise<boolean>;
  /**
   * Optional, both or neither: exec in and copy into an unclaimed member, as `SandboxRuntime`'s
   * exec and putArchive do in a sandbox (same user, limits and path rules). Only the gateway's own
   * helpers use them (the sandbox agent, started before a claim so the claim's first exec finds
   * it running), never a caller. The session outlives the claim: it belongs to the container,
   * not to its name.
   */
  execMember?(member: string, req: ExecRequest): Promise<ExecSession>;
  putMemberArchive?(member: string, dir: string, archive: Readable): Promise<void>;
}
