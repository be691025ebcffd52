import { request, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { pipeline, type Duplex } from 'node:stream';
import { UnavailableError } from '@sandboxed/plugin-sdk';
import { proxiedRequestHeaders, proxiedResponseHeaders, proxiedUpgradeHead } from './forwarded.headers.js';

export interface Target {
  /** Path and query as the sandbox sees them, e.g. `/index.html?x=1`. */
  path: string;
  /** Where the proxy is mounted, e.g. `/v1/sandboxes/<id>/ports/8000`. */
  prefix: string;
}

function sendBadGateway(res: ServerResponse, message: string): void {
  const body = JSON.stringify({ error: new UnavailableError(message).toJSON() });
  res.writeHead(502, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }).end(body);
}

/** Forwards one HTTP request over a tunnel (the tunnel is used once and closed). */
export function forwardHttp(req: IncomingMessage, res: ServerResponse, tunnel: Duplex, target: Target): void {
  const upstream = request(
    {
      method: req.method,
      path: target.path,
      headers: proxiedRequestHeaders(req, target.prefix),
      setHost: false,
      createConnection: () => tunnel as Socket,
    },
    (answer) => {
      res.writeHead(
        answer.statusCode ?? 502,
        answer.statusMessage,
        proxiedResponseHeaders(answer.headers, target.prefix),
      );
      pipeline(answer, res, () => tunnel.destroy());
    },
  );
  upstream.on('error', (err) => {
    if (!res.headersSent) sendBadGateway(res, `The server in the sandbox did not answer: ${err.message}`);
    else res.destroy();
    tunnel.destroy();
  });
  res.once('close', () => {
    if (!res.writableFinished) upstream.destroy();
    tunnel.destroy();
  });
  pipeline(req, upstream, () => undefined);
}

/** Splices a WebSocket (or any Upgrade) handshake and the bytes after it onto a tunnel. */
export function forwardUpgrade(
  req: IncomingMessage,
  socket: Duplex,
  head: Buffer,
  tunnel: Duplex,
  target: Target,
): void {
  tunnel.write(proxiedUpgradeHead(req, target.path, target.prefix));
  if (head.length > 0) tunnel.write(head);
  const close = (): void => {
    socket.destroy();
    tunnel.destroy();
  };
  socket.once('close', close);
  tunnel.once('close', close);
  socket.on('error', close);
  tunnel.on('error', close);
  socket.pipe(tunnel);
  tunnel.pipe(socket);
}
