import WebSocket from 'ws';

export interface Closed {
  code: number;
  reason: string;
}

/** A WebSocket client for tests: JSON frames in order, awaited by predicate with a deadline. */
export class WsTestClient {
  private readonly frames: any[] = [];
  private readonly waiters: Array<() => void> = [];
  readonly closed: Promise<Closed>;

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      const text = data.toString();
      try {
        this.frames.push(JSON.parse(text));
      } catch {
        this.frames.push(text);
      }
      for (const wake of this.waiters.splice(0)) wake();
    });
    this.closed = new Promise((resolve) =>
      ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() })),
    );
    void this.closed.then(() => {
      for (const wake of this.waiters.splice(0)) wake();
    });
  }

  /** Resolves once open; rejects with the HTTP status when the upgrade is refused. */
  static connect(url: string, headers: Record<string, string> = {}): Promise<WsTestClient> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, { headers });
      const client = new WsTestClient(ws);
      ws.once('open', () => resolve(client));
      ws.once('unexpected-response', (_req, res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () =>
          reject(Object.assign(new Error(`HTTP ${res.statusCode}`), { status: res.statusCode, body })),
        );
      });
      ws.once('error', reject);
    });
  }

  send(frame: unknown): void {
    this.ws.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
  }

  /** The first not-yet-taken frame matching `match`, waiting up to `timeoutMs`. */
  async next(match: (frame: any) => boolean = () => true, timeoutMs = 15_000): Promise<any> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const i = this.frames.findIndex(match);
      if (i >= 0) return this.frames.splice(i, 1)[0];
      const left = deadline - Date.now();
      if (left <= 0 || this.ws.readyState === WebSocket.CLOSED) {
        throw new Error(`No matching frame within ${timeoutMs} ms; got ${JSON.stringify(this.frames).slice(0, 500)}`);
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** Every frame for `id` until its `end` (or error), in order. */
  async collect(id: string | number, timeoutMs = 30_000): Promise<any[]> {
    const out: any[] = [];
    for (;;) {
      const frame = await this.next((f) => f.id === id, timeoutMs);
      out.push(frame);
      if (frame.end || frame.error || 'result' in frame) return out;
    }
  }

  close(): void {
    this.ws.close();
  }
}
