import type { SandboxedError } from '@sandboxed/plugin-sdk';

/** WebSocket close codes: 4000 + the HTTP status of the error that ended the connection. */
export function closeCodeFor(error: SandboxedError): number {
  return error.status >= 400 && error.status < 600 ? 4000 + error.status : 1011;
}

export const CLOSE = {
  normal: 1000,
  goingAway: 1001,
  /** A reader too slow to keep up with what it asked for. */
  slowReader: 4008,
} as const;
