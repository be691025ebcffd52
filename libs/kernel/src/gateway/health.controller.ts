import { Controller, Get, Inject } from '@nestjs/common';
import { RouteConfig } from '@nestjs/platform-fastify';
import { GATEWAY_INFO, routeAccess, type GatewayInfo } from '@sandboxed/plugin-sdk';

/** `GET /health`: unauthenticated liveness for load balancers and probes. */
@Controller()
export class HealthController {
  constructor(@Inject(GATEWAY_INFO) private readonly info: GatewayInfo) {}

  @Get('health')
  @RouteConfig(routeAccess('public'))
  health(): { status: string; version: string; runtime: string; uptimeSeconds: number } {
    return {
      status: 'ok',
      version: this.info.version,
      runtime: this.info.runtime,
      uptimeSeconds: Math.floor((Date.now() - this.info.startedAt.getTime()) / 1000),
    };
  }
}
