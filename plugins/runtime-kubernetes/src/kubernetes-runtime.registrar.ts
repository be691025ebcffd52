import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import { RUNTIME_REGISTRY, type RuntimeRegistry } from '@sandboxed/plugin-sdk';
import { KubernetesRuntime } from './kubernetes.runtime.js';

/** Registers the Kubernetes runtime, and at boot makes sure of its NetworkPolicies and reconciles. */
@Injectable()
export class KubernetesRuntimeRegistrar implements OnModuleInit, OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('runtime-kubernetes');

  constructor(
    @Inject(RUNTIME_REGISTRY) private readonly registry: RuntimeRegistry,
    @Inject(KubernetesRuntime) private readonly runtime: KubernetesRuntime,
  ) {}

  onModuleInit(): void {
    this.registry.register(this.runtime);
  }

  /** An unreachable API server does not stop boot: requests then get a 503 that says so, and /health says why. */
  async onApplicationBootstrap(): Promise<void> {
    try {
      await this.runtime.ensureNetworkPolicies();
    } catch (err) {
      this.logger.warn(
        `cannot make sure of the sandbox NetworkPolicies: ${(err as Error).message}; ` +
          'ship them with the manifests (k8s/base) and set networkPolicy: external',
      );
    }
    try {
      await this.runtime.reconcile();
    } catch (err) {
      this.logger.warn(`reconcile at boot failed: ${(err as Error).message}`);
    }
    this.runtime.startReconciling();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.runtime.close();
  }
}
