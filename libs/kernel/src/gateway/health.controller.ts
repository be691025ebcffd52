import { Controller, Get, Inject } from '@nestjs/common';
import { GATEWAY_INFO, type GatewayInfo } from '@sandboxed/plugin-sdk';

/** `GET /health`: unauthenticated liveness for load balancers and probes. */
@Controller()
export class HealthController {
  constructor(@Inject(GATEWAY_INFO) private readonly info: GatewayInfo) {}

  @Get('health')
  health(): { status: string; version: string; runtime: string; uptimeSeconds: number } {
    return {
      status: 'ok',
      version: this.info.version,
      runtime: this.info.runtime,
      uptimeSeconds: Math.floor((Date.now() - this.info.startedAt.getTime()) / 1000),
    };
  }
}
