import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { KERNEL_LIMITS, OPERATION_REGISTRY, type Limits, type OperationRegistry } from '@sandboxed/plugin-sdk';
import { PROCESSES_OPTIONS } from './processes.tokens.js';
import type { ProcessesOptions } from './process-options.dto.js';
import { processOperations } from './process.operations.js';

/** Registers the process.* operations when the module starts. */
@Injectable()
export class ProcessesOperationsRegistrar implements OnModuleInit {
  constructor(
    @Inject(OPERATION_REGISTRY) private readonly registry: OperationRegistry,
    @Inject(KERNEL_LIMITS) private readonly limits: Limits,
    @Inject(PROCESSES_OPTIONS) private readonly options: ProcessesOptions,
  ) {}

  onModuleInit(): void {
    for (const op of processOperations(this.options, this.limits)) this.registry.register(op);
  }
}
