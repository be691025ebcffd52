import { Inject, Injectable, type BeforeApplicationShutdown } from '@nestjs/common';
import type { WebSocket } from 'ws';
import { CLOSE } from './close-codes.js';
import type { WsOptions } from './ws-options.dto.js';
import { WS_OPTIONS } from './ws.tokens.js';

/** The open WebSockets of this gateway: capped in number, closed at shutdown, counted for operators. */
@Injectable()
export class WsConnections implements BeforeApplicationShutdown {
  private readonly sockets = new Set<WebSocket>();
  /** Readers dropped for not keeping up, since boot. */
  droppedSlowReaders = 0;

  constructor(@Inject(WS_OPTIONS) private readonly options: WsOptions) {}

  get size(): number {
    return this.sockets.size;
  }

  hasRoom(): boolean {
    return this.sockets.size < this.options.maxConnections;
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
}
