import { WebSocket } from 'ws';

export interface SenderLimits {
  /** A backlog (unsent bytes) above this when sending drops the reader. */
  maxBufferedBytes: number;
  /** How long a paced send waits for the backlog to drain. */
  stallTimeoutMs: number;
}

/**
 * Sends JSON frames without letting a slow reader grow the gateway's memory: a send finding
 * more than `maxBufferedBytes` still unsent drops the connection, and streams pause above half
 * of it until their frame is flushed (dropping the reader if that takes `stallTimeoutMs`).
 * So each connection holds at most the bound plus the frames in flight.
 */
export class FrameSender {
  private dropped = false;

  constructor(
    private readonly ws: WebSocket,
    private readonly limits: SenderLimits,
    private readonly onDrop: () => void,
  ) {}

  get open(): boolean {
    return !this.dropped && this.ws.readyState === WebSocket.OPEN;
  }

  /** Sends now; false when the connection is gone or was just dropped as too slow. */
  send(frame: unknown): boolean {
    if (!this.open) return false;
    if (this.ws.bufferedAmount > this.limits.maxBufferedBytes) {
      this.drop();
      return false;
    }
    this.ws.send(JSON.stringify(frame));
    return true;
  }

  /** Sends, then waits while the backlog is above the soft mark. For streams. */
  sendPaced(frame: unknown): Promise<boolean> {
    return this.pace(JSON.stringify(frame));
  }

  /** Like sendPaced, for a frame relayed as it is (text stays text, binary stays binary). */
  relayPaced(frame: string | Buffer): Promise<boolean> {
    return this.pace(frame);
  }

  private async pace(payload: string | Buffer): Promise<boolean> {
    if (!this.open) return false;
    if (this.ws.bufferedAmount > this.limits.maxBufferedBytes) {
      this.drop();
      return false;
    }
    // The callback fires once this frame (and so everything before it) reached the kernel.
    const flushed = new Promise<boolean>((resolve) => this.ws.send(payload, (err) => resolve(!err)));
    if (this.ws.bufferedAmount <= this.limits.maxBufferedBytes / 2) return true;
    let timer: NodeJS.Timeout | undefined;
    const stalled = new Promise<boolean>(
      (resolve) => (timer = setTimeout(() => resolve(false), this.limits.stallTimeoutMs)),
    );
    const ok = await Promise.race([flushed, stalled]);
    clearTimeout(timer);
    if (!ok) this.drop();
    return this.open;
  }

  /** Closes a reader that cannot keep up, at once (a close frame would queue behind the backlog). */
  drop(): void {
    if (this.dropped) return;
    this.dropped = true;
    this.onDrop();
    this.ws.terminate();
  }
}
