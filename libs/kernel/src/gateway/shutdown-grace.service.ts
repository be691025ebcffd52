import { Injectable, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { Server } from 'node:http';
import type { Socket } from 'node:net';

const GRACE_MS = 5_000;

/**
 * Shutdown lets in-flight requests finish, but a client that opened a connection and never finished
 * its request (or holds an endless stream) must not keep the process alive: after a grace period,
 * every connection still open is cut. Sockets are tracked here because the HTTP server forgets
 * about connections it no longer waits for once it stops listening.
 */
@Injectable()
export class ShutdownGrace implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly sockets = new Set<Socket>();

  constructor(private readonly adapterHost: HttpAdapterHost) {}

  onApplicationBootstrap(): void {
    const server = this.adapterHost.httpAdapter?.getHttpServer() as Server | undefined;
    server?.on('connection', (socket: Socket) => {
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
    });
  }

  beforeApplicationShutdown(): void {
    setTimeout(() => {
      for (const socket of this.sockets) socket.destroy();
    }, GRACE_MS).unref();
  }
}
