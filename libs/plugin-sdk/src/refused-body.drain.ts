import type { IncomingMessage } from 'node:http';

const DRAIN_BYTES = 1024 * 1024;
const DRAIN_MS = 2_000;

/**
 * After refusing a request whose body was never read: discard what the client keeps sending for a
 * little while, so it can read the refusal (closing at once would reset the connection under a
 * client still writing, and the answer could be lost), then close. A body that ends in time leaves the
 * connection usable; one that does not is cut after `DRAIN_BYTES` or `DRAIN_MS`, so a client that
 * never finishes holds nothing.
 */
export function drainRefusedBody(req: IncomingMessage): void {
  const length = req.headers['content-length'];
  if (req.headers['transfer-encoding'] === undefined && (length === undefined || length === '0')) return;
  const socket = req.socket;
  let seen = 0;
  const cut = (): void => void socket.destroy();
  const timer = setTimeout(cut, DRAIN_MS);
  timer.unref();
  req.on('data', (chunk: Buffer) => {
    if ((seen += chunk.length) > DRAIN_BYTES) cut();
  });
  req.once('end', () => clearTimeout(timer));
  socket.once('close', () => clearTimeout(timer));
}
