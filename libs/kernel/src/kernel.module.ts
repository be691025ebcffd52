import { Global, Module, type DynamicModule } from '@nestjs/common';
import {
  AUTHENTICATOR,
  CHANNEL_REGISTRY,
  GATEWAY_INFO,
  KERNEL_LIMITS,
  OPERATION_INVOKER,
  OPERATION_REGISTRY,
  REQUEST_ADMISSION,
  RUNTIME_REGISTRY,
  SCHEMA_CATALOG,
  type GatewayInfo,
  type Limits,
} from '@sandboxed/plugin-sdk';
import { KernelAuthenticator } from './auth/authenticator.service.js';
import { ProtectedResourceMetadata } from './auth/protected-resource.metadata.js';
import { ProtectedResourceRoutes } from './auth/protected-resource.routes.js';
import type { GatewayConfig } from './config/config.schema.js';
import { HealthController } from './gateway/health.controller.js';
import { HttpResources } from './gateway/http-resources.registry.js';
import { KernelRequestAdmission } from './gateway/request-admission.service.js';
import { ShutdownGrace } from './gateway/shutdown-grace.service.js';
import { GATEWAY_CONFIG } from './kernel.tokens.js';
import { KernelOperationInvoker } from './operations/operation.invoker.js';
import { InMemoryChannelRegistry } from './operations/channel.registry.js';
import { InMemoryOperationRegistry } from './operations/operation.registry.js';
import { DtoSchemaCatalog } from './operations/schema.catalog.js';
import { InMemoryRuntimeRegistry } from './sandbox/runtime.registry.js';
import { SandboxReaper } from './sandbox/sandbox-reaper.service.js';
import { DefaultRuntime } from './sandbox/default-runtime.provider.js';
import { SandboxPoolService } from './sandbox/sandbox-pool.service.js';
import { SandboxOperations } from './sandbox/sandbox.operations.js';
import { SandboxService } from './sandbox/sandbox.service.js';

export interface KernelModuleOptions {
  config: GatewayConfig;
  version: string;
}

/** The kernel: registries, invoker, sandbox service and auth, injectable by every plugin. */
@Global()
@Module({})
export class KernelModule {
  static forRoot({ config, version }: KernelModuleOptions): DynamicModule {
    const info: GatewayInfo = { version, runtime: config.runtime.default, startedAt: new Date() };
    const limits: Limits = {
      ...config.limits,
      sandbox: { defaultTtlSeconds: config.sandbox.defaultTtlSeconds, maxTtlSeconds: config.sandbox.maxTtlSeconds },
    };
    return {
      module: KernelModule,
      controllers: [HealthController],
      providers: [
        { provide: GATEWAY_CONFIG, useValue: config },
        { provide: GATEWAY_INFO, useValue: info },
        { provide: KERNEL_LIMITS, useValue: limits },
        { provide: OPERATION_REGISTRY, useClass: InMemoryOperationRegistry },
        { provide: RUNTIME_REGISTRY, useClass: InMemoryRuntimeRegistry },
        { provide: CHANNEL_REGISTRY, useClass: InMemoryChannelRegistry },
        { provide: SCHEMA_CATALOG, useClass: DtoSchemaCatalog },
        { provide: AUTHENTICATOR, useClass: KernelAuthenticator },
        HttpResources,
        ProtectedResourceMetadata,
        ProtectedResourceRoutes,
        { provide: REQUEST_ADMISSION, useClass: KernelRequestAdmission },
        DefaultRuntime,
        SandboxPoolService,
        SandboxService,
        { provide: OPERATION_INVOKER, useClass: KernelOperationInvoker },
        SandboxOperations,
        SandboxReaper,
        ShutdownGrace,
      ],
      exports: [
        GATEWAY_CONFIG,
        GATEWAY_INFO,
        KERNEL_LIMITS,
        OPERATION_REGISTRY,
        RUNTIME_REGISTRY,
        CHANNEL_REGISTRY,
        SCHEMA_CATALOG,
        AUTHENTICATOR,
        REQUEST_ADMISSION,
        OPERATION_INVOKER,
        SandboxService,
      ],
    };
  }
}
