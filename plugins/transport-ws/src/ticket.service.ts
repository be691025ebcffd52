import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { UnauthorizedError, type Principal } from '@sandboxed/plugin-sdk';
import type { WsOptions } from './ws-options.dto.js';
import { WS_OPTIONS } from './ws.tokens.js';

interface TicketClaims {
  /** principal id */
  p: string;
  /** scopes */
  s: string[];
  /** expiry, epoch ms: never after the credentials it was minted from */
  e: number;
  /** the credentials' own expiry, epoch ms: the socket it opens ends then */
  x?: number;
  /** nonce: single use */
  n: string;
  /** purpose: what the ticket opens (a gateway WebSocket), so no other signed token passes as one */
  u: typeof PURPOSE;
}

const PURPOSE = 'ws';

export interface IssuedTicket {
  ticket: string;
  expiresAt: string;
}

const b64 = (buf: Buffer): string => buf.toString('base64url');

/**
 * Short-lived, single-use WebSocket tickets for clients that cannot set an Authorization header
 * (browsers). A ticket is signed, so any replica with the same `ticketSecret` verifies it; this
 * process remembers redeemed nonces until they expire, so a ticket opens one connection.
 */
@Injectable()
export class TicketService {
  private readonly key: Buffer;
  private readonly redeemed = new Map<string, number>();

  constructor(@Inject(WS_OPTIONS) private readonly options: WsOptions) {
    this.key = options.ticketSecret ? Buffer.from(options.ticketSecret) : randomBytes(32);
  }

  issue(principal: Principal, now = Date.now()): IssuedTicket {
    const claims: TicketClaims = {
      p: principal.id,
      s: [...principal.scopes],
      e: Math.min(now + this.options.ticketTtlSeconds * 1000, principal.expiresAt ?? Infinity),
      ...(principal.expiresAt !== undefined ? { x: principal.expiresAt } : {}),
      n: b64(randomBytes(16)),
      u: PURPOSE,
    };
    const body = b64(Buffer.from(JSON.stringify(claims)));
    return { ticket: `${body}.${this.sign(body)}`, expiresAt: new Date(claims.e).toISOString() };
  }

  /** The ticket's principal; throws UnauthorizedError when it is forged, expired or already used. */
  redeem(ticket: unknown, now = Date.now()): Principal {
    this.prune(now);
    if (typeof ticket !== 'string' || ticket.length > 4096) throw new UnauthorizedError('Invalid ticket');
    const [body, mac] = ticket.split('.');
    const expected = Buffer.from(this.sign(body ?? ''));
    const given = Buffer.from(mac ?? '');
    if (!body || given.length !== expected.length || !timingSafeEqual(given, expected))
      throw new UnauthorizedError('Invalid ticket');
    const claims = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as TicketClaims;
    if (claims.u !== PURPOSE) throw new UnauthorizedError('Invalid ticket');
    if (claims.e <= now) throw new UnauthorizedError('Ticket expired; get a new one from POST /v1/ws/ticket');
    if (this.redeemed.has(claims.n)) throw new UnauthorizedError('Ticket already used; tickets are single-use');
    this.redeemed.set(claims.n, claims.e);
    return { id: claims.p, scopes: claims.s, ...(claims.x !== undefined ? { expiresAt: claims.x } : {}) };
  }

  private sign(body: string): string {
    return b64(createHmac('sha256', this.key).update(body).digest());
  }

  private prune(now: number): void {
    for (const [nonce, expiry] of this.redeemed) if (expiry <= now) this.redeemed.delete(nonce);
  }
}
