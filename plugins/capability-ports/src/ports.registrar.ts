import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import {
  CHANNEL_REGISTRY,
  OPERATION_REGISTRY,
  type ChannelRegistry,
  type OperationRegistry,
} from '@sandboxed/plugin-sdk';
import { ExposureCache } from './exposure.cache.js';
import { portOperations, portTunnel } from './port.operations.js';
import type { PortsOptions } from './ports-options.dto.js';
import { PORTS_OPTIONS } from './ports.tokens.js';

/** Registers port.expose/list/unexpose and the port.connect tunnel. */
@Injectable()
export class PortsRegistrar implements OnModuleInit {
  constructor(
    @Inject(OPERATION_REGISTRY) private readonly registry: OperationRegistry,
    @Inject(CHANNEL_REGISTRY) private readonly channels: ChannelRegistry,
    @Inject(PORTS_OPTIONS) private readonly options: PortsOptions,
  ) {}

  onModuleInit(): void {
    const cache = new ExposureCache(this.options.exposureCacheMs);
    for (const op of portOperations(this.options, cache)) this.registry.register(op);
    this.channels.register(portTunnel(cache));
  }
}
