import { createPublicKey, createSecretKey, type KeyObject } from 'node:crypto';
import { createRemoteJWKSet, jwtVerify, errors as joseErrors, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import { UnauthorizedError, type Principal } from '@sandboxed/plugin-sdk';
import type { JwtConfig } from '../config/config.schema.js';
import { ConfigError } from '../config/config.error.js';

const HMAC = ['HS256', 'HS384', 'HS512'];
const MIN_SECRET_BYTES = 32;

function scopesOf(payload: JWTPayload): string[] {
  const raw = payload.scope ?? payload.scp;
  if (typeof raw === 'string') return raw.split(' ').filter(Boolean);
  if (Array.isArray(raw)) return raw.filter((s): s is string => typeof s === 'string');
  return [];
}

function defaultAlgorithms(key: KeyObject): string[] {
  if (key.asymmetricKeyType === 'rsa') return ['RS256'];
  if (key.asymmetricKeyType === 'ec') return ['ES256'];
  if (key.asymmetricKeyType === 'ed25519') return ['EdDSA'];
  throw new ConfigError(`auth.jwt.publicKey: unsupported key type ${key.asymmetricKeyType}`);
}

/** Verifies bearer JWTs with a pinned algorithm list; `exp` is required and `alg: none` never passes. */
export class JwtVerifier {
  private readonly key: KeyObject | JWTVerifyGetKey;
  private readonly algorithms: string[];

  constructor(private readonly config: JwtConfig) {
    const sources = [config.secret, config.publicKey, config.jwksUrl].filter(Boolean).length;
    if (sources !== 1) throw new ConfigError('auth.jwt: set exactly one of secret, publicKey or jwksUrl');
    if (config.secret) {
      if (Buffer.byteLength(config.secret) < MIN_SECRET_BYTES) {
        throw new ConfigError(`auth.jwt.secret: must be at least ${MIN_SECRET_BYTES} bytes`);
      }
      this.key = createSecretKey(Buffer.from(config.secret));
      this.algorithms = config.algorithms ?? ['HS256'];
      if (this.algorithms.some((a) => !HMAC.includes(a))) {
        throw new ConfigError('auth.jwt.algorithms: a secret only works with HS256/HS384/HS512');
      }
    } else if (config.publicKey) {
      let key: KeyObject;
      try {
        key = createPublicKey(config.publicKey);
      } catch (err) {
        throw new ConfigError(`auth.jwt.publicKey: not a PEM public key (${(err as Error).message})`);
      }
      this.key = key;
      this.algorithms = config.algorithms ?? defaultAlgorithms(key);
      if (this.algorithms.some((a) => HMAC.includes(a))) {
        throw new ConfigError('auth.jwt.algorithms: HMAC algorithms cannot be used with a public key');
      }
    } else {
      let url: URL;
      try {
        url = new URL(config.jwksUrl!);
      } catch {
        throw new ConfigError(`auth.jwt.jwksUrl: "${config.jwksUrl}" is not a URL`);
      }
      this.key = createRemoteJWKSet(url);
      this.algorithms = config.algorithms ?? ['RS256', 'ES256'];
    }
  }

  async verify(token: string): Promise<Principal> {
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, this.key as KeyObject, {
        algorithms: this.algorithms,
        issuer: this.config.issuer,
        audience: this.config.audience,
        requiredClaims: ['exp', 'sub', ...(this.config.maxLifetimeSeconds ? ['iat'] : [])],
        clockTolerance: this.config.clockToleranceSeconds,
        // Also refuses an `iat` in the future, which would otherwise shrink `exp - iat` at will.
        ...(this.config.maxLifetimeSeconds ? { maxTokenAge: this.config.maxLifetimeSeconds } : {}),
      }));
    } catch (err) {
      if (err instanceof joseErrors.JWTExpired) throw new UnauthorizedError('Token expired');
      if (err instanceof joseErrors.JOSEAlgNotAllowed) throw new UnauthorizedError('Token algorithm not allowed');
      if (err instanceof joseErrors.JWTClaimValidationFailed) {
        const hint = err.claim === 'iat' ? ' (auth.jwt.maxLifetimeSeconds needs a past "iat")' : '';
        throw new UnauthorizedError(`Token claim "${err.claim}" is invalid: ${err.reason}${hint}`);
      }
      throw new UnauthorizedError('Invalid token');
    }
    // The subject becomes the owner of sandboxes: a number or an object must not pass as an id.
    if (typeof payload.sub !== 'string' || payload.sub === '') {
      throw new UnauthorizedError('Token claim "sub" is invalid: it must be a non-empty string');
    }
    this.checkLifetime(payload);
    // Accepted until exp plus the tolerance: sessions opened with it end then.
    const expiresAt = (payload.exp! + this.config.clockToleranceSeconds) * 1000;
    return { id: payload.sub, scopes: scopesOf(payload), expiresAt };
  }

  private checkLifetime(payload: JWTPayload): void {
    const max = this.config.maxLifetimeSeconds;
    if (!max) return;
    const lifetime = payload.exp! - payload.iat!;
    if (lifetime > max) {
      throw new UnauthorizedError(
        `Token lifetime (exp - iat) is ${lifetime} s, more than auth.jwt.maxLifetimeSeconds (${max} s); ask for a shorter-lived token`,
      );
    }
  }
}
