import { Controller, Get, Inject } from '@nestjs/common';
import { RouteConfig } from '@nestjs/platform-fastify';
import {
  GATEWAY_INFO,
  routeAccess,
  RUNTIME_REGISTRY,
  type GatewayInfo,
  type RuntimeRegistry,
} from '@sandboxed/plugin-sdk';

interface HealthReport {
  /** `degraded` when the runtime reports something missing (the reasons say what). */
  status: 'ok' | 'degraded';
  version: string;
  runtime: string;
  reasons?: string[];
  uptimeSeconds: number;
}

/** `GET /health`: unauthenticated liveness for load balancers and probes. */
@Controller()
export class HealthController {
  constructor(
    @Inject(GATEWAY_INFO) private readonly info: GatewayInfo,
    @Inject(RUNTIME_REGISTRY) private readonly runtimes: RuntimeRegistry,
  ) {}

  @Get('health')
  @RouteConfig(routeAccess('public'))
  async health(): Promise<HealthReport> {
    const runtime = await this.runtimes.get(this.info.runtime)?.health?.();
    return {
      status: runtime?.status ?? 'ok',
      version: this.info.version,
      runtime: this.info.runtime,
      ...(runtime && runtime.reasons.length > 0 ? { reasons: runtime.reasons } : {}),
      uptimeSeconds: Math.floor((Date.now() - this.info.startedAt.getTime()) / 1000),
    };
  }
}
