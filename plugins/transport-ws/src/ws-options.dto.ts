import { readFileSync } from 'node:fs';
import { IsInt, IsNotEmpty, IsOptional, IsString, Max, Min, MinLength } from 'class-validator';

/** `transport-ws` options from config; every field has a default. */
export class WsOptionsDto {
  /** Largest frame a client may send; a bigger one closes the socket (1009). Default 1 MiB. */
  @IsOptional() @IsInt() @Min(1024) @Max(64 * 1024 * 1024) maxPayloadBytes?: number;
  /** Ping interval; a client that has not answered the previous ping is dropped. Default 30 s. */
  @IsOptional() @IsInt() @Min(100) pingIntervalMs?: number;
  /** Concurrent `stream: true` subscriptions per connection. Default 32. */
  @IsOptional() @IsInt() @Min(1) @Max(10000) maxSubscriptions?: number;
  /** Concurrent unary calls per connection. Default 64. */
  @IsOptional() @IsInt() @Min(1) @Max(10000) maxInFlight?: number;
  /** A reader whose unsent backlog would pass this is dropped. Default 8 MiB. */
  @IsOptional() @IsInt() @Min(65536) maxBufferedBytes?: number;
  /** How long streams wait for a reader to drain a backlog before dropping it. Default 30 s. */
  @IsOptional() @IsInt() @Min(100) stallTimeoutMs?: number;
  /** Open WebSocket connections per gateway (503 beyond). Default 1000. */
  @IsOptional() @IsInt() @Min(1) maxConnections?: number;
  /** Open WebSockets (RPC, channels, tunnels) per principal (429 beyond), so no one locks others out. Default 32. */
  @IsOptional() @IsInt() @Min(1) maxConnectionsPerPrincipal?: number;
  /** Connections still waiting to send their ticket (503 beyond). Default 64. */
  @IsOptional() @IsInt() @Min(1) maxUnauthenticatedConnections?: number;
  /** Lifetime of a `POST /v1/ws/ticket` ticket. Default 30 s. */
  @IsOptional() @IsInt() @Min(1) @Max(600) ticketTtlSeconds?: number;
  /** HMAC key for tickets, shared by replicas so any of them accepts a ticket; default: random per process. */
  @IsOptional() @IsString() @MinLength(32) ticketSecret?: string;
  /** A file holding ticketSecret (a mounted Kubernetes Secret), read at boot; not with ticketSecret. */
  @IsOptional() @IsString() @IsNotEmpty() ticketSecretFile?: string;
  /** How long a connection without credentials has to send its ticket. Default 5 s. */
  @IsOptional() @IsInt() @Min(100) authTimeoutMs?: number;
}

export interface WsOptions {
  maxPayloadBytes: number;
  pingIntervalMs: number;
  maxSubscriptions: number;
  maxInFlight: number;
  maxBufferedBytes: number;
  stallTimeoutMs: number;
  maxConnections: number;
  maxConnectionsPerPrincipal: number;
  maxUnauthenticatedConnections: number;
  ticketTtlSeconds: number;
  ticketSecret?: string;
  authTimeoutMs: number;
}

/** ticketSecret, or the contents of ticketSecretFile (surrounding whitespace trimmed). */
function ticketSecretOf(dto: WsOptionsDto): string | undefined {
  if (!dto.ticketSecretFile) return dto.ticketSecret;
  if (dto.ticketSecret) throw new Error('transport-ws: set ticketSecret or ticketSecretFile, not both');
  let secret: string;
  try {
    secret = readFileSync(dto.ticketSecretFile, 'utf8').trim();
  } catch (err) {
    throw new Error(`transport-ws: cannot read ticketSecretFile ${dto.ticketSecretFile}: ${(err as Error).message}`, {
      cause: err,
    });
  }
  if (secret.length < 32) {
    throw new Error(`transport-ws: ticketSecretFile ${dto.ticketSecretFile} must hold at least 32 characters`);
  }
  return secret;
}

export function resolveWsOptions(dto: WsOptionsDto = {}): WsOptions {
  const ticketSecret = ticketSecretOf(dto);
  return {
    maxPayloadBytes: dto.maxPayloadBytes ?? 1024 * 1024,
    pingIntervalMs: dto.pingIntervalMs ?? 30_000,
    maxSubscriptions: dto.maxSubscriptions ?? 32,
    maxInFlight: dto.maxInFlight ?? 64,
    maxBufferedBytes: dto.maxBufferedBytes ?? 8 * 1024 * 1024,
    stallTimeoutMs: dto.stallTimeoutMs ?? 30_000,
    maxConnections: dto.maxConnections ?? 1000,
    maxConnectionsPerPrincipal: dto.maxConnectionsPerPrincipal ?? 32,
    maxUnauthenticatedConnections: dto.maxUnauthenticatedConnections ?? 64,
    ticketTtlSeconds: dto.ticketTtlSeconds ?? 30,
    ...(ticketSecret ? { ticketSecret } : {}),
    authTimeoutMs: dto.authTimeoutMs ?? 5_000,
  };
}
