import { Readable } from 'node:stream';
import * as tar from 'tar-stream';
import {
  ConflictError,
  resolveExecCwd,
  validateExecRequest,
  type ExecRequest,
  type ExecSession,
  type RuntimeHealth,
  type SandboxInfo,
  type SandboxRuntime,
  type SandboxSelector,
  type SandboxSpec,
} from '@sandboxed/plugin-sdk';
import type { AgentBinary } from './agent-binary.builder.js';
import { AgentConnection } from './agent.connection.js';
import { AgentWarmedPool, type MemberExecPool } from './agent-warmed.pool.js';

/** Where the agent binary goes in every sandbox: /tmp is writable in every template. */
export const AGENT_DIR = '/tmp';

export interface AgentRoutingOptions {
  /** The built agent, or why there is none (then every exec takes the runtime's own path). */
  binary: () => Promise<AgentBinary>;
  /** An idle agent exits after this long; 0 keeps it for the sandbox's life. */
  idleMs: number;
  log: (message: string) => void;
}

interface Route {
  workdir: string;
  agent: AgentConnection;
}

/**
 * A SandboxRuntime whose exec goes through the sandbox's agent, one long-lived exec that
 * multiplexes every command, where the agent runs, and through the runtime's own exec where it
 * cannot (no agent build, an image without a writable executable /tmp): capabilities never know
 * which path they got. Everything but exec is the runtime's own.
 */
export class AgentRoutedRuntime implements SandboxRuntime {
  private readonly routes = new Map<string, Promise<Route | undefined>>();
  /** Sandboxes where the agent could not start: they use per-call exec until destroyed. */
  private readonly fallback = new Set<string>();
  /** Sandboxes being destroyed here: their execs get the runtime's own answer (404 or 409). */
  private readonly destroying = new Set<string>();
  private unbuilt?: string;
  private readonly warmedPool?: AgentWarmedPool;

  constructor(
    private readonly inner: SandboxRuntime,
    private readonly options: AgentRoutingOptions,
  ) {
    const pool = inner.pool;
    if (pool?.execMember && pool.putMemberArchive) {
      this.warmedPool = new AgentWarmedPool(pool as MemberExecPool, {
        start: async (put, exec) => {
          const binary = await this.builtBinary();
          return binary && this.install(binary, put, exec);
        },
        adopt: (id, workdir, agent) => this.adopt(id, workdir, agent),
        log: options.log,
      });
    }
  }

  get name(): string {
    return this.inner.name;
  }

  get sandboxNetworkIsolated(): boolean | undefined {
    return this.inner.sandboxNetworkIsolated;
  }

  get pool(): SandboxRuntime['pool'] {
    return this.warmedPool ?? this.inner.pool;
  }

  create(spec: SandboxSpec): Promise<SandboxInfo> {
    return this.inner.create(spec);
  }

  get(id: string): Promise<SandboxInfo | undefined> {
    return this.inner.get(id);
  }

  list(selector?: SandboxSelector): Promise<SandboxInfo[]> {
    return this.inner.list(selector);
  }

  async destroy(id: string): Promise<void> {
    this.destroying.add(id);
    try {
      await this.drop(
        id,
        'the sandbox is being deleted',
        new ConflictError(`Sandbox ${id} was deleted while the command ran`),
      );
      await this.inner.destroy(id);
    } finally {
      this.destroying.delete(id);
      this.fallback.delete(id);
    }
  }

  putArchive(id: string, dir: string, archive: Readable): Promise<void> {
    return this.inner.putArchive(id, dir, archive);
  }

  getArchive(id: string, path: string): Promise<Readable> {
    return this.inner.getArchive(id, path);
  }

  connect(id: string, port: number): ReturnType<SandboxRuntime['connect']> {
    return this.inner.connect(id, port);
  }

  async health(): Promise<RuntimeHealth> {
    return (await this.inner.health?.()) ?? { status: 'ok', reasons: [] };
  }

  async close(): Promise<void> {
    await this.closeAgents();
    await this.inner.close?.();
  }

  /** Ends every agent connection (the agents exit when their stdin closes); the runtime stays open. */
  async closeAgents(): Promise<void> {
    this.warmedPool?.close('the gateway is shutting down');
    for (const id of [...this.routes.keys()]) await this.drop(id, 'the gateway is shutting down');
  }

  /** Whether exec in this sandbox currently goes through its agent (for tests and health). */
  async agentServes(id: string): Promise<boolean> {
    const route = await this.routes.get(id);
    return route?.agent.isOpen ?? false;
  }

  async exec(id: string, req: ExecRequest): Promise<ExecSession> {
    const route = await this.route(id);
    if (!route) return this.inner.exec(id, req);
    validateExecRequest(req);
    const builtin = req.builtin && route.agent.builtins.has(req.builtin.name) ? req.builtin : undefined;
    return route.agent.exec({ ...req, builtin, cwd: resolveExecCwd(route.workdir, req.cwd) });
  }

  private async route(id: string): Promise<Route | undefined> {
    if (this.unbuilt !== undefined || this.fallback.has(id) || this.destroying.has(id)) return undefined;
    for (;;) {
      let pending = this.routes.get(id);
      if (!pending) {
        pending = this.start(id);
        this.routes.set(id, pending);
      }
      const route = await pending;
      if (!route || route.agent.isOpen) return route;
      if (this.routes.get(id) === pending) this.routes.delete(id);
    }
  }

  /** The agent binary, or undefined (logged once) when this gateway has none. */
  private async builtBinary(): Promise<AgentBinary | undefined> {
    if (this.unbuilt !== undefined) return undefined;
    try {
      return await this.options.binary();
    } catch (err) {
      if (this.unbuilt === undefined) {
        this.unbuilt = (err as Error).message;
        this.options.log(`sandbox agent: not available (${this.unbuilt}); every exec uses the runtime's own path`);
      }
      return undefined;
    }
  }

  private async start(id: string): Promise<Route | undefined> {
    const binary = await this.builtBinary();
    if (!binary) {
      this.routes.delete(id);
      return undefined;
    }
    const info = await this.inner.get(id);
    if (!info) {
      this.routes.delete(id);
      return undefined; // the runtime's exec answers with its own not-found error
    }
    try {
      const agent =
        (await this.startPreinstalled(id)) ??
        (await this.install(
          binary,
          (dir, archive) => this.inner.putArchive(id, dir, archive),
          (req) => this.inner.exec(id, req),
        ));
      this.watch(id, agent);
      return { workdir: info.workdir, agent };
    } catch (err) {
      // The sandbox is gone or going: the caller gets the runtime's answer, and nothing falls back.
      if (['not_found', 'conflict'].includes((err as { code?: string }).code ?? '')) {
        this.routes.delete(id);
        throw err;
      }
      this.fallback.add(id);
      this.routes.delete(id);
      this.options.log(
        `sandbox agent: cannot start in sandbox ${id} (${(err as Error).message}); it uses per-call exec`,
      );
      return undefined;
    }
  }

  /** Copies the agent in with `put` and starts it with `exec`. */
  private async install(
    binary: AgentBinary,
    put: (dir: string, archive: Readable) => Promise<void>,
    exec: (req: ExecRequest) => Promise<ExecSession>,
  ): Promise<AgentConnection> {
    const name = `.sandboxed-agent-${binary.hash}`;
    await put(AGENT_DIR, agentArchive(name, binary.bytes));
    return this.launch(exec, `${AGENT_DIR}/${name}`);
  }

  /** A claimed pool member's agent, started before the claim (AgentWarmedPool). */
  private adopt(id: string, workdir: string, agent: AgentConnection): void {
    if (this.routes.has(id)) {
      agent.close('the sandbox already has an agent');
      return;
    }
    this.routes.set(id, Promise.resolve({ workdir, agent }));
    this.watch(id, agent);
  }

  /** Forgets sandbox `id`'s route when its agent ends, so the next exec starts another. */
  private watch(id: string, agent: AgentConnection): void {
    void agent.closed.then(() => {
      void this.routes.get(id)?.then((r) => r?.agent === agent && this.routes.delete(id));
    });
  }

  private async launch(exec: (req: ExecRequest) => Promise<ExecSession>, file: string): Promise<AgentConnection> {
    const argv = [file, ...(this.options.idleMs > 0 ? ['--idle-ms', String(this.options.idleMs)] : [])];
    const agent = new AgentConnection(await exec({ argv, keepBackground: true }));
    await agent.ready();
    return agent;
  }

  /**
   * The agent the runtime put in place (SandboxRuntime.preinstalledAgentPath), or undefined when
   * there is none or it does not say hello with this gateway's version: then it is copied in.
   */
  private async startPreinstalled(id: string): Promise<AgentConnection | undefined> {
    const file = this.inner.preinstalledAgentPath;
    if (!file) return undefined;
    try {
      return await this.launch((req) => this.inner.exec(id, req), file);
    } catch (err) {
      if (['not_found', 'conflict'].includes((err as { code?: string }).code ?? '')) throw err;
      this.options.log(
        `sandbox agent: the preinstalled agent ${file} in sandbox ${id} did not start (${(err as Error).message}); copying one in`,
      );
      return undefined;
    }
  }

  private async drop(id: string, reason: string, error?: Error): Promise<void> {
    const pending = this.routes.get(id);
    this.routes.delete(id);
    const route = await pending?.catch(() => undefined);
    route?.agent.close(reason, error);
  }
}

function agentArchive(name: string, bytes: Buffer): Readable {
  const pack = tar.pack();
  pack.entry({ name, mode: 0o755 }, bytes);
  pack.finalize();
  return Readable.from(pack);
}
