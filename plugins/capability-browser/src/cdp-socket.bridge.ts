import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import type { Duplex } from 'node:stream';

/**
 * A gateway-private Unix socket whose every connection is a fresh `runtime.connect` to the
 * browser's DevTools port inside one sandbox. CDP clients dial URLs (chrome-remote-interface has
 * no hook for a custom connection), and `ws+unix://<socket>:/devtools/...` lets them dial this
 * socket instead of any host port. The socket lives in a 0700 directory of the gateway's.
 */
export class CdpSocketBridge {
  readonly path: string;
  private readonly server: Server;
  private readonly open = new Set<Socket>();

  private constructor(dir: string, connect: () => Promise<Duplex>) {
    this.path = join(dir, `${randomBytes(6).toString('hex')}.sock`);
    this.server = createServer((socket) => {
      this.open.add(socket);
      socket.once('close', () => this.open.delete(socket));
      socket.on('error', () => socket.destroy());
      connect().then(
        (upstream) => {
          if (socket.destroyed) return void upstream.destroy();
          upstream.on('error', () => socket.destroy());
          socket.once('close', () => upstream.destroy());
          upstream.once('close', () => socket.destroy());
          socket.pipe(upstream);
          upstream.pipe(socket);
        },
        () => socket.destroy(),
      );
    });
  }

  static async listen(dir: string, connect: () => Promise<Duplex>): Promise<CdpSocketBridge> {
    const bridge = new CdpSocketBridge(dir, connect);
    await new Promise<void>((resolve, reject) => {
      bridge.server.once('error', reject);
      bridge.server.listen(bridge.path, () => resolve());
    });
    return bridge;
  }

  /** The WebSocket URL of a DevTools path (`/devtools/browser/<id>`) through this socket. */
  wsUrl(devtoolsPath: string): string {
    return `ws+unix://${this.path}:${devtoolsPath}`;
  }

  async close(): Promise<void> {
    if (!this.server.listening) return;
    for (const socket of this.open) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    rmSync(this.path, { force: true });
  }
}
