import {
  ConflictError,
  ForbiddenError,
  InvalidArgumentError,
  NotFoundError,
  QuotaExceededError,
  SandboxedError,
  TimeoutError,
  UnavailableError,
} from '@sandboxed/plugin-sdk';

/** The parts of a Kubernetes `Status` body the mapping reads. */
export interface KubeStatus {
  code?: number;
  reason?: string;
  message?: string;
}

/** The HTTP status of an API error (client-node's ApiException), or undefined for a network error. */
export function statusOf(err: unknown): number | undefined {
  const code = (err as { code?: unknown })?.code;
  return typeof code === 'number' ? code : undefined;
}

/** The API server's `Status` from an ApiException (its body is the raw response text). */
export function kubeStatusOf(err: unknown): KubeStatus {
  const body = (err as { body?: unknown })?.body;
  if (body && typeof body === 'object') return body as KubeStatus;
  if (typeof body === 'string') {
    try {
      return JSON.parse(body) as KubeStatus;
    } catch {
      return { message: body.slice(0, 500) };
    }
  }
  return {};
}

export function apiMessage(err: unknown): string {
  return kubeStatusOf(err).message ?? (err as Error)?.message ?? String(err);
}

/** Raced against every API call, so a stuck API server surfaces as a 503 instead of a hang. */
export async function withDeadline<T>(work: Promise<T>, ms: number, endpoint: string, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new UnavailableError(`The Kubernetes API server at ${endpoint} did not answer ${what} in ${ms} ms`)),
      ms,
    );
  });
  try {
    return await Promise.race([work, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

export interface MapOptions {
  endpoint: string;
  namespace: string;
  notFound?: (message: string) => SandboxedError;
}

/**
 * An API server answer as a typed error. RBAC refusals, admission (Pod Security) refusals and an
 * unreachable server are the operator's to fix: 503 with the server's own words. A namespace's
 * pod quota is the caller's limit: 429.
 */
export function mapKubeError(err: unknown, opts: MapOptions): SandboxedError {
  if (err instanceof SandboxedError) return err;
  const status = statusOf(err);
  const message = apiMessage(err);
  if (status === undefined || status < 100 || status > 599) {
    return new UnavailableError(`Cannot reach the Kubernetes API server at ${opts.endpoint}: ${message}`);
  }
  switch (status) {
    case 400:
    case 422:
      return new InvalidArgumentError(`The Kubernetes API server refused the request: ${message}`);
    case 401:
      return new UnavailableError(
        `The Kubernetes API server at ${opts.endpoint} does not accept the gateway's credentials: ${message}`,
      );
    case 403:
      if (/exceeded quota/i.test(message)) {
        return new QuotaExceededError(`The sandbox namespace ${opts.namespace} is at its quota: ${message}`);
      }
      if (/violates PodSecurity|admission webhook|denied the request/i.test(message)) {
        return new UnavailableError(`Admission refused the sandbox pod: ${message}`);
      }
      return new UnavailableError(
        `The gateway's Kubernetes identity may not do this in namespace ${opts.namespace} (RBAC): ${message}; ` +
          'see docs/kubernetes.md for the Role it needs',
      );
    case 404:
      return opts.notFound ? opts.notFound(message) : new NotFoundError(message);
    case 409:
      return new ConflictError(message);
    case 410:
      return new ConflictError(`The Kubernetes API server says: ${message}`);
    case 429:
      return new UnavailableError(`The Kubernetes API server is throttling the gateway: ${message}`);
    case 504:
      return new TimeoutError(`The Kubernetes API server timed out: ${message}`);
    default:
      return status >= 500
        ? new UnavailableError(`The Kubernetes API server at ${opts.endpoint} failed (${status}): ${message}`)
        : new ForbiddenError(message);
  }
}
