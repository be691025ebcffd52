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

export function engineMessage(err: unknown): string {
  const e = err as EngineError;
  return String(e?.json?.message ?? e?.message ?? err)
    .replace(/^\(HTTP code \d+\) [^-]*- /, '')
    .trim();
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
