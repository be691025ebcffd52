import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import { toSandboxedError } from '@sandboxed/plugin-sdk';

/** Answers an upgrade request with a plain HTTP error (the same `{error}` envelope as REST) and closes it. */
export function rejectUpgrade(socket: Duplex, err: unknown): void {
  const error = toSandboxedError(err);
  const body = JSON.stringify({ error: error.toJSON() });
  const head = [
    `HTTP/1.1 ${error.status} ${STATUS_CODES[error.status] ?? 'Error'}`,
    'Content-Type: application/json',
    `Content-Length: ${Buffer.byteLength(body)}`,
    'Connection: close',
    ...(error.status === 401 ? ['WWW-Authenticate: Bearer realm="sandboxed"'] : []),
  ];
  if (!socket.writable) return void socket.destroy();
  socket.end(`${head.join('\r\n')}\r\n\r\n${body}`, () => socket.destroy());
}
