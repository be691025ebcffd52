import { homedir } from 'node:os';
import { join } from 'node:path';
import { AgentRoutedRuntime, ensureAgentBinary, type AgentBinary } from '@sandboxed/agent';
import { Inject, Injectable, Logger, type BeforeApplicationShutdown } from '@nestjs/common';
import { RUNTIME_REGISTRY, type RuntimeRegistry, type SandboxRuntime } from '@sandboxed/plugin-sdk';
import type { GatewayConfig } from '../config/config.schema.js';
import { GATEWAY_CONFIG } from '../kernel.tokens.js';

function agentCacheDir(): string {
  return join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'sandboxed');
}

/**
 * The runtime named by `runtime.default` as the kernel uses it: with `agent.enabled`, exec goes
 * through each sandbox's agent, and its warm pool starts the agents of its members.
 */
@Injectable()
export class DefaultRuntime implements BeforeApplicationShutdown {
  private readonly logger = new Logger('SandboxService');
  private routed?: { inner: SandboxRuntime; outer: AgentRoutedRuntime };
  private agentBinary?: Promise<AgentBinary>;

  constructor(
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
    @Inject(RUNTIME_REGISTRY) private readonly runtimes: RuntimeRegistry,
  ) {}

  async beforeApplicationShutdown(): Promise<void> {
    await this.routed?.outer.closeAgents();
  }

  /** The default runtime; throws, saying which plugin to add, when none provides it. */
  get(): SandboxRuntime {
    const runtime = this.find();
    if (!runtime) {
      const loaded = this.runtimes.names();
      throw new Error(
        `runtime.default is "${this.config.runtime.default}", but no loaded plugin provides it (loaded runtimes: ${loaded.join(', ') || 'none'}); add its plugin to \`plugins\``,
      );
    }
    return runtime;
  }

  /** The default runtime, or undefined when no loaded plugin provides it. */
  find(): SandboxRuntime | undefined {
    const runtime = this.runtimes.get(this.config.runtime.default);
    if (!runtime || !this.config.agent.enabled) return runtime;
    if (this.routed?.inner !== runtime) {
      this.routed = {
        inner: runtime,
        outer: new AgentRoutedRuntime(runtime, {
          binary: () => (this.agentBinary ??= ensureAgentBinary(agentCacheDir())),
          idleMs: this.config.agent.idleSeconds * 1000,
          log: (message) => this.logger.warn(message),
        }),
      };
    }
    return this.routed.outer;
  }
}
