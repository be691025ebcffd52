import {
  ConflictError,
  InvalidArgumentError,
  NotFoundError,
  SandboxedError,
  UnavailableError,
} from '@sandboxed/plugin-sdk';

/** The engine cannot be reached at all: socket missing, refused, not permitted, or dropped. */
const UNREACHABLE = new Set([
  'ECONNREFUSED',
  'ENOENT',
  'EACCES',
  'EPERM',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENOTFOUND',
]);

interface EngineError {
  code?: string;
  statusCode?: number;
  json?: { message?: string } | null;
  message?: string;
}

/** The engine's message, with 64-hex engine ids (containers, execs) cut to Docker's 12-char short form. */
export function engineMessage(err: unknown): string {
  const e = err as EngineError;
  return shortenEngineIds(
    String(e?.json?.message ?? e?.message ?? err)
      .replace(/^\(HTTP code \d+\) [^-]*- /, '')
      .trim(),
  );
}

export function shortenEngineIds(message: string): string {
  return message.replace(/\b([0-9a-f]{12})[0-9a-f]{52}\b/g, '$1');
}

const BEING_REMOVED = /removal in progress|marked for removal|is dead|deleted state|no such container/i;
const NOT_RUNNING = /is not running|not running|is paused|is restarting/i;

/**
 * What an engine error on a sandbox's container means when the container is gone, going or
 * stopped (a DELETE racing the call, an engine stop): NotFound or Conflict naming the sandbox, not
 * the container. Undefined for any other error.
 */
export function containerStateError(err: unknown, sandboxId: string): SandboxedError | undefined {
  if (err instanceof SandboxedError) return undefined;
  const status = statusOf(err);
  if (status === undefined) return undefined;
  const message = engineMessage(err);
  if (BEING_REMOVED.test(message)) {
    return new NotFoundError(`Sandbox ${sandboxId} not found (it was deleted)`);
  }
  if (NOT_RUNNING.test(message)) {
    const state = /paused/i.test(message) ? 'paused' : /restarting/i.test(message) ? 'restarting' : 'not running';
    return new ConflictError(`Sandbox ${sandboxId} is ${state}; retry in a moment`, { state });
  }
  return undefined;
}

export function statusOf(err: unknown): number | undefined {
  return (err as EngineError)?.statusCode;
}

export function unreachable(endpoint: string, detail: string): UnavailableError {
  return new UnavailableError(
    `The Docker engine is unreachable at ${endpoint} (${detail}). Is dockerd running? (scripts/ensure-docker.sh starts one)`,
    { endpoint },
  );
}

export interface MapOptions {
  endpoint: string;
  /** What a 404 means for this call (a missing sandbox, path or image). */
  notFound?: (message: string) => SandboxedError;
}

/** Turns a dockerode/docker-modem error into a typed error; typed errors pass through. */
export function mapEngineError(err: unknown, opts: MapOptions): SandboxedError {
  if (err instanceof SandboxedError) return err;
  const e = err as EngineError;
  if (e?.code && UNREACHABLE.has(e.code)) return unreachable(opts.endpoint, e.code);
  const message = engineMessage(err);
  switch (e?.statusCode) {
    case 400:
      return new InvalidArgumentError(`Docker engine rejected the request: ${message}`);
    case 404:
      return opts.notFound ? opts.notFound(message) : new NotFoundError(message);
    case 409:
      return new ConflictError(message);
    case undefined:
      return new UnavailableError(`Docker engine request failed: ${message}`, { endpoint: opts.endpoint });
    default:
      return new SandboxedError('internal', 500, `Docker engine error (${e.statusCode}): ${message}`);
  }
}

/** Rejects with UnavailableError if `work` takes longer than `ms` (a stuck engine must not hang callers). */
export async function withDeadline<T>(work: Promise<T>, ms: number, endpoint: string, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(unreachable(endpoint, `no answer to ${what} within ${ms} ms`)), ms);
    timer.unref();
  });
  try {
    return await Promise.race([work, deadline]);
  } finally {
    clearTimeout(timer);
  }
}
