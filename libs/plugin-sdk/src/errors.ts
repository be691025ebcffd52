/**
 * Typed errors. Every transport maps them the same way: REST status +
 * `{ error: { code, message, details } }`, an MCP `isError` result, a WebSocket error frame.
 */
export type ErrorCode =
  | 'not_found'
  | 'invalid_argument'
  | 'conflict'
  | 'unauthorized'
  | 'forbidden'
  | 'limit_exceeded'
  | 'quota_exceeded'
  | 'timeout'
  | 'unavailable'
  | 'not_implemented'
  | 'internal';

export class SandboxedError extends Error {
  constructor(
    readonly code: ErrorCode,
    readonly status: number,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = new.target.name;
  }

  toJSON(): { code: ErrorCode; message: string; details?: unknown } {
    return { code: this.code, message: this.message, ...(this.details === undefined ? {} : { details: this.details }) };
  }
}

export class NotFoundError extends SandboxedError {
  constructor(message: string, details?: unknown) {
    super('not_found', 404, message, details);
  }
}

export class InvalidArgumentError extends SandboxedError {
  constructor(message: string, details?: unknown) {
    super('invalid_argument', 400, message, details);
  }
}

export class ConflictError extends SandboxedError {
  constructor(message: string, details?: unknown) {
    super('conflict', 409, message, details);
  }
}

export class UnauthorizedError extends SandboxedError {
  constructor(message = 'Missing or invalid credentials', details?: unknown) {
    super('unauthorized', 401, message, details);
  }
}

export class ForbiddenError extends SandboxedError {
  constructor(message: string, details?: unknown) {
    super('forbidden', 403, message, details);
  }
}

export class LimitExceededError extends SandboxedError {
  constructor(message: string, details?: unknown) {
    super('limit_exceeded', 413, message, details);
  }
}

/** A per-principal quota (e.g. sandboxes per owner) is used up. */
export class QuotaExceededError extends SandboxedError {
  constructor(message: string, details?: unknown) {
    super('quota_exceeded', 429, message, details);
  }
}

export class TimeoutError extends SandboxedError {
  constructor(message: string, details?: unknown) {
    super('timeout', 504, message, details);
  }
}

export class UnavailableError extends SandboxedError {
  constructor(message: string, details?: unknown) {
    super('unavailable', 503, message, details);
  }
}

/** The feature exists but is not set up on this gateway (e.g. no web search provider is configured). */
export class NotImplementedError extends SandboxedError {
  constructor(message: string, details?: unknown) {
    super('not_implemented', 501, message, details);
  }
}

/** Turns anything thrown into a SandboxedError; unknown errors become `internal` without leaking internals. */
export function toSandboxedError(err: unknown): SandboxedError {
  if (err instanceof SandboxedError) return err;
  return new SandboxedError('internal', 500, 'Internal error');
}
