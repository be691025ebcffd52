export { plugin, plugin as default } from './ports.plugin.js';
export { PortsCapabilityModule } from './ports-capability.module.js';
export { PortsOptionsDto } from './ports-options.dto.js';
export { ExposedPort, ListPortsInput, PortInput, PortList } from './port.dto.js';
export { PORT_TUNNEL_PATH } from './port.operations.js';
