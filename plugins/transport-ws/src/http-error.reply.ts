import type { ServerResponse } from 'node:http';
import { toSandboxedError } from '@sandboxed/plugin-sdk';

/** Writes the `{error: {code, message, details}}` envelope on a raw response. */
export function writeHttpError(res: ServerResponse, err: unknown): void {
  const error = toSandboxedError(err);
  if (res.headersSent) return void res.destroy();
  const body = JSON.stringify({ error: error.toJSON() });
  res.writeHead(error.status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(body),
    ...(error.status === 401 ? { 'www-authenticate': 'Bearer realm="sandboxed"' } : {}),
  });
  res.end(body);
}
