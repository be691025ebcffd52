import { SandboxedError, toSandboxedError, UnauthorizedError, type Principal } from '@sandboxed/plugin-sdk';
import { closeCodeFor } from './close-codes.js';
import type { RawData } from 'ws';
import type { SocketInbox } from './socket.inbox.js';
import type { TicketService } from './ticket.service.js';

/**
 * Exactly `{"ticket": "..."}`. A connection that needed no ticket (header credentials, or dev mode,
 * where a browser still follows the documented handshake) drops such a first frame unread.
 */
export function isTicketFrame(data: RawData, isBinary: boolean): boolean {
  if (isBinary) return false;
  try {
    const frame = JSON.parse(data.toString()) as unknown;
    if (!frame || typeof frame !== 'object' || Array.isArray(frame)) return false;
    const keys = Object.keys(frame);
    return keys.length === 1 && keys[0] === 'ticket' && typeof (frame as { ticket: unknown }).ticket === 'string';
  } catch {
    return false;
  }
}

export interface TicketHandshake {
  inbox: SocketInbox;
  tickets: TicketService;
  timeoutMs: number;
  /** How an error looks on this kind of socket. */
  errorFrame(error: SandboxedError): unknown;
  /** Starts serving the principal; a SandboxedError it throws (e.g. a cap) refuses the connection. */
  onPrincipal(principal: Principal): void;
}

/**
 * For a connection that came without credentials: its first frame must be `{"ticket": "..."}`
 * (from POST /v1/ws/ticket). Anything else, or nothing in time, closes it with 4401.
 */
export function awaitTicket({ inbox, tickets, timeoutMs, errorFrame, onPrincipal }: TicketHandshake): void {
  const ws = inbox.socket;
  const refuse = (err: SandboxedError): void => {
    ws.send(JSON.stringify(errorFrame(err)));
    ws.close(closeCodeFor(err), err.message.slice(0, 120));
  };
  const timer = setTimeout(
    () =>
      refuse(
        new UnauthorizedError('No credentials: send {"ticket": "..."} from POST /v1/ws/ticket as the first frame'),
      ),
    timeoutMs,
  );
  timer.unref();
  ws.once('close', () => clearTimeout(timer));
  inbox.takeOne((data) => {
    clearTimeout(timer);
    let principal: Principal;
    try {
      const frame = JSON.parse(data.toString()) as { ticket?: unknown } | null;
      if (!frame || typeof frame !== 'object' || typeof frame.ticket !== 'string') {
        throw new UnauthorizedError(
          'No credentials: the first frame must be {"ticket": "..."} (or send Authorization: Bearer)',
        );
      }
      principal = tickets.redeem(frame.ticket);
    } catch (err) {
      return refuse(err instanceof SandboxedError ? err : new UnauthorizedError('Invalid ticket'));
    }
    try {
      onPrincipal(principal);
    } catch (err) {
      refuse(toSandboxedError(err));
    }
  });
}
