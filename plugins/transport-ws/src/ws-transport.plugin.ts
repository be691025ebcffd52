import { definePlugin } from '@sandboxed/plugin-sdk';
import { TicketService } from './ticket.service.js';
import { WsConnections } from './ws-connections.service.js';
import { WsGateway } from './ws-gateway.service.js';
import { resolveWsOptions, WsOptionsDto } from './ws-options.dto.js';
import { WsTransportModule } from './ws-transport.module.js';
import { WS_OPTIONS } from './ws.tokens.js';

/** Every operation over one WebSocket (`/v1/ws`), channels as WebSockets, HTTP tunnels as a reverse proxy. */
export const plugin = definePlugin<WsOptionsDto>({
  id: 'transport-ws',
  kind: 'transport',
  version: '0.1.0',
  engine: '^1',
  description:
    'WebSocket transport: /v1/ws for every operation, WebSocket channels (terminal) and HTTP tunnels (ports)',
  options: WsOptionsDto,
  module: (options) => ({
    module: WsTransportModule,
    providers: [{ provide: WS_OPTIONS, useValue: resolveWsOptions(options) }, TicketService, WsConnections, WsGateway],
    exports: [WsConnections],
  }),
});
