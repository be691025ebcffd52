import { IsISO8601, IsString } from 'class-validator';
import { JSONSchema } from 'class-validator-jsonschema';
import { routeDoc } from '@sandboxed/plugin-sdk';

/** `POST /v1/ws/ticket` takes no input: send no body, or `{}`. */
export class WsTicketInput {}

export class WsTicketDto {
  @IsString()
  @JSONSchema({
    description: 'Send `{"ticket": "..."}` as the first frame of a WebSocket opened without credentials',
  })
  ticket: string;

  @IsISO8601()
  @JSONSchema({ description: 'Unused after this; never later than the expiry of the credentials it came from' })
  expiresAt: string;
}

export const TICKET_DOC = routeDoc({
  operationId: 'ws.ticket',
  summary: 'Get a WebSocket ticket',
  description:
    'A short-lived, single-use ticket for a WebSocket (`/v1/ws`, the terminal) opened by a client that cannot ' +
    'set an Authorization header (a browser): connect without credentials and send `{"ticket": "..."}` as the ' +
    'first frame. The socket then acts as the principal that asked for the ticket, and ends when its ' +
    'credentials expire.',
  tag: 'ws',
  status: 201,
  input: WsTicketInput,
  output: WsTicketDto,
});
