import { Inject, Injectable, type BeforeApplicationShutdown } from '@nestjs/common';
import type { WebSocket } from 'ws';
import { QuotaExceededError, UnavailableError, type Principal } from '@sandboxed/plugin-sdk';
import { CLOSE } from './close-codes.js';
import type { WsOptions } from './ws-options.dto.js';
import { WS_OPTIONS } from './ws.tokens.js';

/**
 * One upgrade's place in the caps: held by a principal, or "waiting" while a connection without
 * credentials has yet to send its ticket. Released once (on close); releasing again does nothing.
 */
export interface ConnectionSlot {
  /** Moves a waiting slot to the principal its ticket named; throws QuotaExceededError past the cap. */
  assign(principal: Principal): void;
  release(): void;
}

/**
 * The open WebSockets of this gateway: capped in number overall, per principal and while waiting for
 * a ticket (so neither one principal nor a crowd of unauthenticated sockets locks everyone else out),
 * closed at shutdown, counted for operators.
 */
@Injectable()
export class WsConnections implements BeforeApplicationShutdown {
  private readonly sockets = new Set<WebSocket>();
  private readonly perPrincipal = new Map<string, number>();
  private waiting = 0;
  /** Readers dropped for not keeping up, since boot. */
  droppedSlowReaders = 0;

  constructor(@Inject(WS_OPTIONS) private readonly options: WsOptions) {}

  get size(): number {
    return this.sockets.size;
  }

  hasRoom(): boolean {
    return this.sockets.size < this.options.maxConnections;
  }

  /** A slot for `principal`, or a waiting one (no principal yet); throws when the cap is reached. */
  reserve(principal: Principal | undefined): ConnectionSlot {
    let owner: string | undefined;
    let released = false;
    if (principal) owner = this.take(principal.id);
    else this.takeWaiting();
    return {
      assign: (p) => {
        if (released || owner !== undefined) return;
        owner = this.take(p.id);
        this.waiting--;
      },
      release: () => {
        if (released) return;
        released = true;
        if (owner === undefined) this.waiting--;
        else this.give(owner);
      },
    };
  }

  add(ws: WebSocket): void {
    this.sockets.add(ws);
    ws.once('close', () => this.sockets.delete(ws));
  }

  beforeApplicationShutdown(): void {
    // Upgraded sockets are no longer HTTP requests: the server would wait for them forever.
    for (const ws of this.sockets) {
      ws.close(CLOSE.goingAway, 'server shutting down');
      setTimeout(() => ws.terminate(), 1000).unref();
    }
  }

  private take(id: string): string {
    const held = this.perPrincipal.get(id) ?? 0;
    if (held >= this.options.maxConnectionsPerPrincipal) {
      throw new QuotaExceededError(
        `At most ${this.options.maxConnectionsPerPrincipal} WebSocket connections per principal ` +
          '(transport-ws maxConnectionsPerPrincipal); close one first',
      );
    }
    this.perPrincipal.set(id, held + 1);
    return id;
  }

  private give(id: string): void {
    const held = (this.perPrincipal.get(id) ?? 1) - 1;
    if (held <= 0) this.perPrincipal.delete(id);
    else this.perPrincipal.set(id, held);
  }

  private takeWaiting(): void {
    if (this.waiting >= this.options.maxUnauthenticatedConnections) {
      throw new UnavailableError(
        'Too many WebSocket connections waiting to authenticate; retry, or send credentials in the Authorization header',
      );
    }
    this.waiting++;
  }
}
