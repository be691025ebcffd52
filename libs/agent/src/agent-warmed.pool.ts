import type { Readable } from 'node:stream';
import type {
  ExecRequest,
  ExecSession,
  PoolFillSpec,
  PoolMember,
  SandboxInfo,
  SandboxPoolDriver,
  SandboxSpec,
} from '@sandboxed/plugin-sdk';
import type { AgentConnection } from './agent.connection.js';

/** A pool driver that can run the gateway's own helpers in its members. */
export type MemberExecPool = SandboxPoolDriver & Required<Pick<SandboxPoolDriver, 'execMember' | 'putMemberArchive'>>;

/** What AgentWarmedPool borrows from AgentRoutedRuntime. */
export interface AgentWarmHost {
  /** Copies the agent in with `put` and starts it with `exec`; undefined when there is no agent build. */
  start(
    put: (dir: string, archive: Readable) => Promise<void>,
    exec: (req: ExecRequest) => Promise<ExecSession>,
  ): Promise<AgentConnection | undefined>;
  /** Routes sandbox `id`'s execs through `agent` from now on. */
  adopt(id: string, workdir: string, agent: AgentConnection): void;
  log(message: string): void;
}

interface Warm {
  agent: AgentConnection;
  at: number;
}

/**
 * A warm pool whose members have their agent running before anyone claims them: a claim hands
 * the sandbox its agent, so its first exec is one frame on a channel that is already open
 * instead of a copy, an engine exec and a hello. The agents are this gateway's own; a member
 * claimed through another replica starts one there on first use, and this one lets its go.
 */
export class AgentWarmedPool implements SandboxPoolDriver {
  private readonly agents = new Map<string, Warm>();

  constructor(
    private readonly inner: MemberExecPool,
    private readonly host: AgentWarmHost,
  ) {}

  templates(): string[] | undefined {
    return this.inner.templates();
  }

  async fill(spec: PoolFillSpec): Promise<PoolMember> {
    const member = await this.inner.fill(spec);
    await this.warm(member.key);
    return member;
  }

  async members(): Promise<PoolMember[]> {
    const asked = performance.now();
    const list = await this.inner.members();
    const listed = new Set(list.map((m) => m.key));
    // Gone from the engine's list since it was warmed here: claimed or recycled by another replica.
    for (const [key, warm] of this.agents) {
      if (!listed.has(key) && warm.at < asked) this.take(key)?.close('its pool member was taken elsewhere');
    }
    return list;
  }

  async claim(key: string, spec: SandboxSpec): Promise<SandboxInfo | undefined> {
    const warm = this.agents.get(key);
    this.agents.delete(key);
    let info: SandboxInfo | undefined;
    try {
      info = await this.inner.claim(key, spec);
    } catch (err) {
      // Nothing changed hands: the member, and so its agent, stays in the pool.
      if (warm && !this.agents.has(key)) this.agents.set(key, warm);
      throw err;
    }
    if (!info) warm?.agent.close('its pool member was claimed elsewhere');
    else if (warm?.agent.isOpen) this.host.adopt(spec.id, info.workdir, warm.agent);
    return info;
  }

  async recycle(key: string): Promise<boolean> {
    const done = await this.inner.recycle(key);
    if (done) this.take(key)?.close('its pool member was recycled');
    return done;
  }

  /** Ends the agents of members nobody claimed (they exit when their stdin closes). */
  close(reason: string): void {
    for (const key of [...this.agents.keys()]) this.take(key)?.close(reason);
  }

  private take(key: string): AgentConnection | undefined {
    const warm = this.agents.get(key);
    this.agents.delete(key);
    return warm?.agent;
  }

  private async warm(key: string): Promise<void> {
    let agent: AgentConnection | undefined;
    try {
      agent = await this.host.start(
        (dir, archive) => this.inner.putMemberArchive(key, dir, archive),
        (req) => this.inner.execMember(key, req),
      );
    } catch (err) {
      this.host.log(
        `sandbox agent: not started in pool member ${key} (${(err as Error).message}); its sandbox starts one on first use`,
      );
    }
    if (!agent) return;
    const warm = { agent, at: performance.now() };
    this.agents.set(key, warm);
    void agent.closed.then(() => {
      if (this.agents.get(key) === warm) this.agents.delete(key);
    });
  }
}
