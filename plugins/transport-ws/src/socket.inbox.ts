import type { RawData, WebSocket } from 'ws';

type Consumer = (data: RawData, isBinary: boolean) => void;

/**
 * Holds a socket's incoming frames until a consumer takes them, so nothing is lost while the
 * connection is still authenticating or opening its channel (clients may send at once).
 */
export class SocketInbox {
  private readonly held: Array<[RawData, boolean]> = [];
  private consumer?: Consumer;
  private skipFirst?: (data: RawData, isBinary: boolean) => boolean;

  constructor(
    private readonly ws: WebSocket,
    private readonly maxHeld = 64,
  ) {
    ws.on('message', (data, isBinary) => {
      const skip = this.skipFirst;
      this.skipFirst = undefined;
      if (skip?.(data, isBinary)) return;
      if (this.consumer) return this.consumer(data, isBinary);
      if (this.held.length >= this.maxHeld)
        return void ws.close(1008, 'too many frames before the connection was ready');
      this.held.push([data, isBinary]);
    });
  }

  /** Drops the socket's first frame when `matches` it (call before any frame can arrive). */
  dropFirstIf(matches: (data: RawData, isBinary: boolean) => boolean): void {
    this.skipFirst = matches;
  }

  /** Delivers held frames, then every new one, to `consumer`. */
  take(consumer: Consumer): void {
    this.consumer = consumer;
    while (this.held.length > 0 && this.consumer === consumer) {
      const [data, isBinary] = this.held.shift()!;
      consumer(data, isBinary);
    }
  }

  /** Holds frames again (until the next `take`). */
  hold(): void {
    this.consumer = undefined;
  }

  /** The next frame, once; the inbox holds the ones after it. */
  takeOne(consumer: Consumer): void {
    this.take((data, isBinary) => {
      this.hold();
      consumer(data, isBinary);
    });
  }

  get socket(): WebSocket {
    return this.ws;
  }
}
