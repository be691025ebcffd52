import { Inject, Injectable } from '@nestjs/common';
import type { OnModuleInit } from '@nestjs/common';
import { KERNEL_LIMITS, OPERATION_REGISTRY } from '@sandboxed/plugin-sdk';
import type { Limits, OperationRegistry } from '@sandboxed/plugin-sdk';
import { filesOperations } from './files.operations.js';

/** Registers the files operations with the kernel when the module starts. */
@Injectable()
export class FilesOperationsRegistrar implements OnModuleInit {
  constructor(
    @Inject(OPERATION_REGISTRY) private readonly registry: OperationRegistry,
    @Inject(KERNEL_LIMITS) private readonly limits: Limits,
  ) {}

  onModuleInit(): void {
    for (const operation of filesOperations(this.limits)) this.registry.register(operation);
  }
}
