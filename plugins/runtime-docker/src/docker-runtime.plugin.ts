import { Logger, Module, type DynamicModule } from '@nestjs/common';
import { definePlugin } from '@sandboxed/plugin-sdk';
import { DockerRuntime } from './docker.runtime.js';
import { DockerRuntimeOptionsDto, resolveDockerRuntimeOptions } from './docker-runtime-options.dto.js';
import { DockerRuntimeRegistrar } from './docker-runtime.registrar.js';

@Module({})
export class DockerRuntimeModule {}

/** The `runtime-docker` plugin: hardened containers on a Docker engine, through dockerode. */
export const plugin = definePlugin<DockerRuntimeOptionsDto>({
  id: 'runtime-docker',
  kind: 'runtime',
  version: '0.1.0',
  engine: '^1',
  description: 'Sandboxes as hardened Docker containers (one per sandbox, state in labels)',
  options: DockerRuntimeOptionsDto,
  module(options): DynamicModule {
    const resolved = resolveDockerRuntimeOptions(options);
    return {
      module: DockerRuntimeModule,
      providers: [
        { provide: DockerRuntime, useFactory: () => new DockerRuntime(resolved, new Logger('runtime-docker')) },
        DockerRuntimeRegistrar,
      ],
      exports: [DockerRuntime],
    };
  },
});
