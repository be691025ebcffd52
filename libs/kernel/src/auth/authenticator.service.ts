import { timingSafeEqual, createHash } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { UnauthorizedError, type Authenticator, type Principal } from '@sandboxed/plugin-sdk';
import type { GatewayConfig } from '../config/config.schema.js';
import { ConfigError } from '../config/config.error.js';
import { GATEWAY_CONFIG } from '../kernel.tokens.js';
import { JwtVerifier } from './jwt.verifier.js';

const DEV_PRINCIPAL: Principal = Object.freeze({ id: 'local', scopes: ['*'] });
const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

type Headers = Record<string, string | string[] | undefined>;

const digest = (s: string): Buffer => createHash('sha256').update(s).digest();

function header(headers: Headers, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** Default-deny authentication: bearer JWT, static API keys, or loopback-only dev mode. */
@Injectable()
export class KernelAuthenticator implements Authenticator {
  readonly devMode: boolean;
  readonly schemes: ReadonlyArray<'bearer' | 'apiKey'>;
  private readonly jwt?: JwtVerifier;
  /** sha256(key) → principal; compared in constant time. */
  private readonly apiKeys: Array<[Buffer, string]>;

  constructor(@Inject(GATEWAY_CONFIG) config: GatewayConfig) {
    const { jwt, apiKeys } = config.auth;
    const hasJwt = Boolean(jwt.secret || jwt.publicKey || jwt.jwksUrl);
    this.jwt = hasJwt ? new JwtVerifier(jwt) : undefined;
    this.apiKeys = Object.entries(apiKeys).map(([key, principal]) => [digest(key), principal]);
    this.devMode = !hasJwt && this.apiKeys.length === 0;
    if (this.devMode && !LOOPBACK.has(config.server.host)) {
      throw new ConfigError(
        `No authentication is configured and server.host is ${config.server.host}, which is not loopback. ` +
          'Set auth.jwt.* or auth.apiKeys, or bind to 127.0.0.1 for local development.',
      );
    }
    if (this.devMode) {
      new Logger('Auth').warn(
        'No authentication configured: dev mode, every request acts as principal "local" (loopback only)',
      );
    }
    this.schemes = [
      ...(hasJwt || this.devMode ? ['bearer' as const] : []),
      ...(this.apiKeys.length ? ['apiKey' as const] : []),
    ];
  }

  async authenticate(headers: Headers): Promise<Principal> {
    const authz = header(headers, 'authorization');
    const apiKey = header(headers, 'x-api-key');
    if (this.devMode && !authz && !apiKey) return DEV_PRINCIPAL;
    if (apiKey !== undefined) return this.byApiKey(apiKey);
    if (!authz) throw new UnauthorizedError('Missing credentials: send Authorization: Bearer <token> or X-API-Key');
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authz);
    if (!match) throw new UnauthorizedError('Authorization header must be "Bearer <token>"');
    const token = match[1];
    if (this.apiKeys.length && !token.includes('.')) return this.byApiKey(token);
    if (!this.jwt) {
      if (this.devMode) return DEV_PRINCIPAL;
      throw new UnauthorizedError('Bearer JWTs are not accepted here; use an API key');
    }
    return this.jwt.verify(token);
  }

  private byApiKey(key: string): Principal {
    const d = digest(key);
    let found: string | undefined;
    for (const [candidate, principal] of this.apiKeys) if (timingSafeEqual(candidate, d)) found ??= principal;
    if (!found) throw new UnauthorizedError('Invalid API key');
    return { id: found, scopes: ['*'] };
  }
}
