import { UnauthorizedError } from './errors.js';
import type { Principal } from './principal.types.js';

/** setTimeout's longest delay; later expiries are reached in steps. */
const MAX_DELAY_MS = 2 ** 31 - 1;

/**
 * Calls `onExpired` once, when `principal`'s credentials expire (right away, asynchronously, if they
 * already have); never for credentials without expiry. Returns a cancel function. Transports use it
 * to end what outlives a request: sockets, streams, tunnels.
 */
export function onCredentialsExpiry(principal: Principal, onExpired: () => void): () => void {
  const { expiresAt } = principal;
  if (expiresAt === undefined) return () => undefined;
  let timer: NodeJS.Timeout | undefined;
  const arm = (): void => {
    const left = expiresAt - Date.now();
    timer = left > MAX_DELAY_MS ? setTimeout(arm, MAX_DELAY_MS) : setTimeout(onExpired, Math.max(0, left));
    timer.unref();
  };
  arm();
  return () => clearTimeout(timer);
}

/** The error a session ends with when its credentials expire. */
export function credentialsExpiredError(): UnauthorizedError {
  return new UnauthorizedError('Token expired: this session ended with it; reconnect with a fresh token');
}
