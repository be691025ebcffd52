import type { IncomingHttpHeaders, IncomingMessage, OutgoingHttpHeaders } from 'node:http';

const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

/** The gateway's credentials are for the gateway: never forwarded into a sandbox. */
const CREDENTIALS = new Set(['authorization', 'x-api-key']);

function connectionTokens(headers: IncomingHttpHeaders): Set<string> {
  const raw = headers.connection;
  const list = Array.isArray(raw) ? raw.join(',') : (raw ?? '');
  return new Set(
    list
      .split(',')
      .map((t) => t.trim().toLowerCase())
      .filter(Boolean),
  );
}

function forwardedFor(req: IncomingMessage, prefix: string): Record<string, string> {
  const prior = req.headers['x-forwarded-for'];
  const client = req.socket.remoteAddress ?? '';
  return {
    'x-forwarded-for': prior ? `${Array.isArray(prior) ? prior.join(', ') : prior}, ${client}` : client,
    'x-forwarded-proto': 'http',
    ...(req.headers.host ? { 'x-forwarded-host': req.headers.host } : {}),
    'x-forwarded-prefix': prefix,
  };
}

/** Request headers for one proxied HTTP request (one tunnel each, so `connection: close`). */
export function proxiedRequestHeaders(req: IncomingMessage, prefix: string): OutgoingHttpHeaders {
  const drop = connectionTokens(req.headers);
  const out: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (
      value === undefined ||
      HOP_BY_HOP.has(name) ||
      CREDENTIALS.has(name) ||
      drop.has(name) ||
      name.startsWith('x-forwarded-')
    )
      continue;
    out[name] = value;
  }
  return { ...out, ...forwardedFor(req, prefix), connection: 'close' };
}

/** Raw header lines for a proxied WebSocket handshake: as sent, minus credentials. */
export function proxiedUpgradeHead(req: IncomingMessage, path: string, prefix: string): string {
  const lines = [`${req.method ?? 'GET'} ${path} HTTP/1.1`];
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    const name = req.rawHeaders[i]!;
    const lower = name.toLowerCase();
    if (CREDENTIALS.has(lower) || lower.startsWith('x-forwarded-')) continue;
    lines.push(`${name}: ${req.rawHeaders[i + 1]}`);
  }
  for (const [name, value] of Object.entries(forwardedFor(req, prefix))) lines.push(`${name}: ${value}`);
  return `${lines.join('\r\n')}\r\n\r\n`;
}

/** Response headers from the sandbox, minus hop-by-hop ones; redirects stay under the prefix. */
export function proxiedResponseHeaders(headers: IncomingHttpHeaders, prefix: string): OutgoingHttpHeaders {
  const drop = connectionTokens(headers);
  const out: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || HOP_BY_HOP.has(name) || drop.has(name)) continue;
    out[name] = value;
  }
  const location = out.location;
  if (
    typeof location === 'string' &&
    location.startsWith('/') &&
    !location.startsWith('//') &&
    !location.startsWith(`${prefix}/`)
  ) {
    out.location = `${prefix}${location}`;
  }
  return out;
}
