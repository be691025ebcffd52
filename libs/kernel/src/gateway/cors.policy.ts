import type { IncomingMessage } from 'node:http';

/** Request headers browser clients may send cross-origin: credentials, JSON, and the MCP ones. */
export const CORS_ALLOWED_HEADERS = [
  'Authorization',
  'Content-Type',
  'X-API-Key',
  'Mcp-Session-Id',
  'Mcp-Protocol-Version',
  'Mcp-Method',
  'Mcp-Name',
  'Last-Event-ID',
];
/** Response headers a cross-origin page may read besides the CORS-safelisted ones. */
export const CORS_EXPOSED_HEADERS = ['Mcp-Session-Id', 'Mcp-Protocol-Version', 'WWW-Authenticate'];
export const CORS_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'];
/** How long a browser may cache a preflight's answer, in seconds. */
export const CORS_MAX_AGE_SECONDS = 600;

function originOf(value: string): string | undefined {
  try {
    return new URL(value).origin;
  } catch {
    return undefined;
  }
}

/**
 * CORS is granted only to configured origins (`*`: any but `null`). Loopback and same-origin pages,
 * which the Origin check lets through, get no CORS: a same-origin page needs none, and a local one
 * (any dev server on this machine) must be listed to read the gateway's answers.
 */
export function corsOriginAllowed(origin: string | undefined, allowed: readonly string[]): boolean {
  if (origin === undefined) return false;
  const requested = originOf(origin);
  if (!requested || requested === 'null') return false;
  return allowed.includes('*') || allowed.some((a) => originOf(a) === requested);
}

/** A CORS preflight: OPTIONS from a page, naming the method it wants to send. */
export function isPreflight(req: IncomingMessage): boolean {
  return req.method === 'OPTIONS' && req.headers.origin !== undefined && 'access-control-request-method' in req.headers;
}
