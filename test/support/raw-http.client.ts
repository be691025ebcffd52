import { connect, type Socket } from 'node:net';

/** One HTTP/1.1 connection driven byte by byte, for what fetch cannot do: partial and trickled requests. */
export class RawHttpConnection {
  private received = '';
  private readonly waiters: Array<() => void> = [];
  /** Bytes of the request written so far (head included). */
  sent = 0;
  readonly closed: Promise<void>;

  private constructor(readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.received += chunk.toString('latin1');
      this.wake();
    });
    // A server that refuses early and closes may reset a connection we are still writing to.
    socket.on('error', () => undefined);
    this.closed = new Promise((resolve) => socket.once('close', () => resolve()));
    void this.closed.then(() => this.wake());
  }

  static open(url: string): Promise<RawHttpConnection> {
    const { hostname, port } = new URL(url);
    return new Promise((resolve, reject) => {
      const socket = connect({ host: hostname, port: Number(port) }, () => resolve(new RawHttpConnection(socket)));
      socket.once('error', reject);
    });
  }

  get isClosed(): boolean {
    return this.socket.destroyed;
  }

  /** What the server answered so far. */
  get response(): string {
    return this.received;
  }

  /** The status code of the answer, once its status line is in. */
  get status(): number | undefined {
    const m = /^HTTP\/1\.1 (\d{3})/.exec(this.received);
    return m ? Number(m[1]) : undefined;
  }

  /** Writes and resolves once the bytes are handed to the kernel; false when the connection is gone. */
  write(data: string | Buffer): Promise<boolean> {
    if (this.socket.destroyed || !this.socket.writable) return Promise.resolve(false);
    return new Promise((resolve) =>
      this.socket.write(data, (err) => {
        if (!err) this.sent += typeof data === 'string' ? Buffer.byteLength(data) : data.length;
        resolve(!err);
      }),
    );
  }

  /** Resolves when `check` holds (checked on every byte received and at close), or rejects at the deadline. */
  async until(check: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!check()) {
      const left = deadline - Date.now();
      if (left <= 0)
        throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}; got ${this.received.slice(0, 200)}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  destroy(): void {
    this.socket.destroy();
  }

  private wake(): void {
    for (const wake of this.waiters.splice(0)) wake();
  }
}

/** A request head for `path` with the given headers (Host is filled in). */
export function requestHead(
  url: string,
  method: string,
  path: string,
  headers: Record<string, string | number>,
): string {
  const lines = [`${method} ${path} HTTP/1.1`, `Host: ${new URL(url).host}`];
  for (const [name, value] of Object.entries(headers)) lines.push(`${name}: ${value}`);
  return `${lines.join('\r\n')}\r\n\r\n`;
}
