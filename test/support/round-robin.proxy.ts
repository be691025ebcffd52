import { createServer, request, type IncomingMessage, type Server } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';

/** Which upstream served what, in order. */
export interface ProxyRecord {
  upstream: number;
  method: string;
  path: string;
  upgrade: boolean;
}

export interface RoundRobinProxy {
  url: string;
  served: ProxyRecord[];
  close(): Promise<void>;
}

/**
 * A load balancer in front of gateway replicas: every request and every WebSocket upgrade goes
 * to the next upstream in turn (no stickiness, no keep-alive reuse), the way a replicated
 * Deployment behind a Service may spread one client's calls.
 */
export async function startRoundRobinProxy(upstreams: string[]): Promise<RoundRobinProxy> {
  const targets = upstreams.map((u) => new URL(u));
  const served: ProxyRecord[] = [];
  let next = 0;
  const pick = (req: IncomingMessage, upgrade: boolean): URL => {
    const upstream = next++ % targets.length;
    served.push({ upstream, method: req.method ?? 'GET', path: req.url ?? '/', upgrade });
    return targets[upstream]!;
  };
  const server: Server = createServer((req, res) => {
    const target = pick(req, false);
    const upstream = request(
      {
        host: target.hostname,
        port: target.port,
        method: req.method,
        path: req.url,
        headers: { ...req.headers, connection: 'close' },
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', (err) => {
      if (!res.headersSent) res.writeHead(502).end(err.message);
      else res.destroy();
    });
    res.on('close', () => upstream.destroy());
    req.pipe(upstream);
  });
  server.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => {
    const target = pick(req, true);
    const upstream = connect(Number(target.port), target.hostname, () => {
      const lines = [`${req.method} ${req.url} HTTP/1.1`];
      for (let i = 0; i < req.rawHeaders.length; i += 2) lines.push(`${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}`);
      upstream.write(`${lines.join('\r\n')}\r\n\r\n`);
      if (head.length) upstream.write(head);
      socket.pipe(upstream).pipe(socket);
    });
    const close = (): void => {
      socket.destroy();
      upstream.destroy();
    };
    upstream.on('error', close);
    socket.on('error', close);
    upstream.on('close', close);
    socket.on('close', close);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    served,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
