import { Module } from '@nestjs/common';
import type { DynamicModule } from '@nestjs/common';
import { FilesOperationsRegistrar } from './files-operations.registrar.js';

@Module({})
export class FilesCapabilityModule {
  static register(): DynamicModule {
    return { module: FilesCapabilityModule, providers: [FilesOperationsRegistrar] };
  }
}
