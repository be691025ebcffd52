import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { RUNTIME_REGISTRY, type RuntimeRegistry } from '@sandboxed/plugin-sdk';
import { LocalRuntime } from './local.runtime.js';

/** Registers the local runtime with the kernel's runtime registry and readies it (data dir lock, helper, cgroups) at boot. */
@Injectable()
export class LocalRuntimeRegistrar implements OnModuleInit {
  constructor(
    @Inject(RUNTIME_REGISTRY) private readonly registry: RuntimeRegistry,
    @Inject(LocalRuntime) private readonly runtime: LocalRuntime,
  ) {}

  async onModuleInit(): Promise<void> {
    this.registry.register(this.runtime);
    await this.runtime.start();
  }
}
