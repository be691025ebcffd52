import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import type { ServerConfig } from '../config/config.schema.js';

function firstValue(v: string | string[] | undefined): string | undefined {
  const value = Array.isArray(v) ? v[0] : v;
  return value?.split(',')[0]?.trim() || undefined;
}

function originOf(proto: string, host: string | undefined): string | undefined {
  if (!host) return undefined;
  try {
    return new URL(`${proto}://${host}`).origin;
  } catch {
    return undefined;
  }
}

/**
 * The gateway's origin as its callers reach it: `server.publicUrl` when set, else the request's scheme
 * and Host, or with `server.trustProxy` the proxy's X-Forwarded-Proto and X-Forwarded-Host.
 */
export function publicBaseUrl(req: IncomingMessage, server: Pick<ServerConfig, 'publicUrl' | 'trustProxy'>): string {
  if (server.publicUrl) return new URL(server.publicUrl).origin;
  const encrypted = Boolean((req.socket as TLSSocket | undefined)?.encrypted);
  const forwardedProto = server.trustProxy ? firstValue(req.headers['x-forwarded-proto']) : undefined;
  const proto = (forwardedProto ?? (encrypted ? 'https' : 'http')).toLowerCase() === 'https' ? 'https' : 'http';
  const forwardedHost = server.trustProxy ? firstValue(req.headers['x-forwarded-host']) : undefined;
  return (
    originOf(proto, forwardedHost) ?? originOf(proto, firstValue(req.headers.host)) ?? `${proto}://localhost` // no usable Host at all (HTTP/1.0): still a well-formed URL
  );
}
