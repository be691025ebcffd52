import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { GatewayConfig } from '../config/config.schema.js';
import { GATEWAY_CONFIG } from '../kernel.tokens.js';
import { SandboxService } from './sandbox.service.js';

/** Destroys expired sandboxes at boot and then every `sandbox.reapIntervalSeconds`. */
@Injectable()
export class SandboxReaper implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('SandboxReaper');
  private timer?: NodeJS.Timeout;
  private running?: Promise<unknown>;

  constructor(
    private readonly sandboxes: SandboxService,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.tick();
    this.timer = setInterval(() => this.tick(), this.config.sandbox.reapIntervalSeconds * 1000);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  private tick(): void {
    if (this.running) return;
    this.running = this.sandboxes
      .reapExpired()
      .catch((err: Error) => this.logger.warn(`Reaper pass failed: ${err.message}`))
      .finally(() => (this.running = undefined));
  }
}
