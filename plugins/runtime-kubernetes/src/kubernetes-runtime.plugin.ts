import { Logger, Module, type DynamicModule } from '@nestjs/common';
import { definePlugin } from '@sandboxed/plugin-sdk';
import { KubernetesRuntime } from './kubernetes.runtime.js';
import { KubernetesRuntimeOptionsDto, resolveKubernetesRuntimeOptions } from './kubernetes-runtime-options.dto.js';
import { KubernetesRuntimeRegistrar } from './kubernetes-runtime.registrar.js';

@Module({})
export class KubernetesRuntimeModule {}

/** The `runtime-kubernetes` plugin: one hardened pod per sandbox, through @kubernetes/client-node. */
export const plugin = definePlugin<KubernetesRuntimeOptionsDto>({
  id: 'runtime-kubernetes',
  kind: 'runtime',
  version: '0.1.0',
  engine: '^1',
  description: 'Sandboxes as hardened Kubernetes pods (one per sandbox, state on the pod)',
  options: KubernetesRuntimeOptionsDto,
  module(options): DynamicModule {
    const resolved = resolveKubernetesRuntimeOptions(options);
    return {
      module: KubernetesRuntimeModule,
      providers: [
        {
          provide: KubernetesRuntime,
          useFactory: () => new KubernetesRuntime(resolved, new Logger('runtime-kubernetes')),
        },
        KubernetesRuntimeRegistrar,
      ],
      exports: [KubernetesRuntime],
    };
  },
});
