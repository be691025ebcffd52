import { Logger, Module, type DynamicModule } from '@nestjs/common';
import { definePlugin } from '@sandboxed/plugin-sdk';
import { LocalRuntime } from './local.runtime.js';
import { LocalRuntimeOptionsDto, resolveLocalRuntimeOptions } from './local-runtime-options.dto.js';
import { LocalRuntimeRegistrar } from './local-runtime.registrar.js';

@Module({})
export class LocalRuntimeModule {}

/** The `runtime-local` plugin: bubblewrap-isolated workspaces on this host. */
export const plugin = definePlugin<LocalRuntimeOptionsDto>({
  id: 'runtime-local',
  kind: 'runtime',
  version: '0.1.0',
  engine: '^1',
  description: 'Sandboxes as workspace directories on this host, isolated with bubblewrap namespaces',
  options: LocalRuntimeOptionsDto,
  module(options): DynamicModule {
    const resolved = resolveLocalRuntimeOptions(options);
    return {
      module: LocalRuntimeModule,
      providers: [
        { provide: LocalRuntime, useFactory: () => new LocalRuntime(resolved, new Logger('runtime-local')) },
        LocalRuntimeRegistrar,
      ],
      exports: [LocalRuntime],
    };
  },
});
