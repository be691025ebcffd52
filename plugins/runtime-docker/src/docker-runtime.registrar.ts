import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import { RUNTIME_REGISTRY, type RuntimeRegistry } from '@sandboxed/plugin-sdk';
import { DockerRuntime } from './docker.runtime.js';

/** Registers the Docker runtime when the module starts, reconciles with the engine at boot, and closes it at shutdown. */
@Injectable()
export class DockerRuntimeRegistrar implements OnModuleInit, OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('runtime-docker');

  constructor(
    @Inject(RUNTIME_REGISTRY) private readonly registry: RuntimeRegistry,
    @Inject(DockerRuntime) private readonly runtime: DockerRuntime,
  ) {}

  onModuleInit(): void {
    this.registry.register(this.runtime);
  }

  /** An unreachable engine does not stop boot: requests then get a 503 that says so. */
  async onApplicationBootstrap(): Promise<void> {
    try {
      await this.runtime.checkRunc();
    } catch (err) {
      this.logger.warn(`cannot check the engine's runc at boot: ${(err as Error).message}`);
    }
    try {
      await this.runtime.checkDisk();
    } catch (err) {
      this.logger.warn(`cannot tell how the engine bounds disks at boot: ${(err as Error).message}`);
    }
    try {
      await this.runtime.reconcile();
    } catch (err) {
      this.logger.warn(`reconcile at boot failed: ${(err as Error).message}`);
    }
  }

  /** Sandboxes stay; claims this gateway has not renamed yet get their names (pool-member.codec.ts). */
  async onApplicationShutdown(): Promise<void> {
    await this.runtime.close().catch((err: Error) => this.logger.warn(`close failed: ${err.message}`));
  }
}
