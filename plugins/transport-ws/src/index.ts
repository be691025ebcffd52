export { plugin, plugin as default } from './ws-transport.plugin.js';
export { WsTransportModule } from './ws-transport.module.js';
export { WsConnections } from './ws-connections.service.js';
export { WsOptionsDto } from './ws-options.dto.js';
export type { WsOptions } from './ws-options.dto.js';
export { RPC_PATH, TICKET_PATH } from './ws-gateway.service.js';
