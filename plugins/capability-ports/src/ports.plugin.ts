import { definePlugin } from '@sandboxed/plugin-sdk';
import { PortsCapabilityModule } from './ports-capability.module.js';
import { PortsOptionsDto, resolvePortsOptions } from './ports-options.dto.js';
import { PortsRegistrar } from './ports.registrar.js';
import { PORTS_OPTIONS } from './ports.tokens.js';

export const plugin = definePlugin<PortsOptionsDto>({
  id: 'capability-ports',
  kind: 'capability',
  version: '0.1.0',
  engine: '^1',
  description:
    'Expose TCP ports of a sandbox (HTTP and WebSocket) through the gateway: port.expose, port.list, port.unexpose',
  options: PortsOptionsDto,
  module: (options) => ({
    module: PortsCapabilityModule,
    providers: [{ provide: PORTS_OPTIONS, useValue: resolvePortsOptions(options) }, PortsRegistrar],
  }),
});
