import { Injectable, type BeforeApplicationShutdown } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { Server } from 'node:http';

const GRACE_MS = 5_000;

/**
 * Shutdown waits for in-flight requests, but a client that opened a connection and never finished
 * a request (or an endless stream) would hold it forever: after a grace period, cut what is left.
 */
@Injectable()
export class ShutdownGrace implements BeforeApplicationShutdown {
  constructor(private readonly adapterHost: HttpAdapterHost) {}

  beforeApplicationShutdown(): void {
    const server = this.adapterHost.httpAdapter?.getHttpServer() as Server | undefined;
    if (!server) return;
    setTimeout(() => server.closeAllConnections(), GRACE_MS).unref();
  }
}
