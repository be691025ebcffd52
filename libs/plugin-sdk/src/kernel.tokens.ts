import type { IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';
import type { OpenedChannel } from './channel.types.js';
import type { BearerChallenge, HttpResourceDeclaration } from './http-resource.types.js';
import type { OperationEvent } from './operation.types.js';
import type { Principal } from './principal.types.js';

/** Injection tokens the kernel provides globally to every plugin. */
export const OPERATION_REGISTRY = Symbol.for('sandboxed.OperationRegistry');
export const RUNTIME_REGISTRY = Symbol.for('sandboxed.RuntimeRegistry');
export const CHANNEL_REGISTRY = Symbol.for('sandboxed.ChannelRegistry');
export const OPERATION_INVOKER = Symbol.for('sandboxed.OperationInvoker');
export const AUTHENTICATOR = Symbol.for('sandboxed.Authenticator');
export const SCHEMA_CATALOG = Symbol.for('sandboxed.SchemaCatalog');
export const KERNEL_LIMITS = Symbol.for('sandboxed.Limits');
export const GATEWAY_INFO = Symbol.for('sandboxed.GatewayInfo');
export const REQUEST_ADMISSION = Symbol.for('sandboxed.RequestAdmission');

export interface InvocationRequest {
  /** Required by `sandbox` operations: the sandbox to act in. */
  sandboxId?: string;
  /** The raw, untrusted input; validated against the operation's DTO. */
  input: unknown;
  /** Raw request body for `http.body: 'octets'` operations. */
  body?: Readable;
}

/** The one path every transport uses: validate, authorize, resolve the sandbox, run, map errors. */
export interface OperationInvoker {
  invoke(opId: string, req: InvocationRequest, principal: Principal, signal: AbortSignal): Promise<unknown>;
  /** For `stream: true` operations. Validation and authorization errors throw before the first event. */
  stream(
    opId: string,
    req: InvocationRequest,
    principal: Principal,
    signal: AbortSignal,
  ): Promise<AsyncIterable<OperationEvent>>;
  /**
   * Opens a channel from the ChannelRegistry (a terminal, a tunnel) with the same checks as
   * `invoke`: scope, input, and a sandbox the principal owns (anyone else's is NotFound).
   * Aborting `signal` before it resolves cancels the open.
   */
  open(channelId: string, req: InvocationRequest, principal: Principal, signal: AbortSignal): Promise<OpenedChannel>;
}

export interface Authenticator {
  /** Resolves the caller from request headers; throws UnauthorizedError. */
  authenticate(headers: Record<string, string | string[] | undefined>): Promise<Principal>;
  /** The schemes in force, for OpenAPI `securitySchemes`. */
  readonly schemes: ReadonlyArray<'bearer' | 'apiKey'>;
  readonly devMode: boolean;
}

/** Extra allowances a transport adds to the gateway's `server.allowedHosts` / `server.allowedOrigins`. */
export interface OriginAllowances {
  allowedHosts?: readonly string[];
  allowedOrigins?: readonly string[];
}

/**
 * The gateway's one admission policy for HTTP requests and WebSocket upgrades. The kernel applies it
 * to every Fastify route (see RouteAccess); upgrades and `self` routes call it themselves.
 */
export interface RequestAdmission {
  /**
   * DNS-rebinding and cross-site checks: the `Host` must be a loopback name or allowed (in dev mode,
   * only those), and a browser's `Origin` loopback, the gateway's own or allowed (`null` never).
   * Throws ForbiddenError saying which config key would allow it.
   */
  checkHostAndOrigin(req: IncomingMessage, extra?: OriginAllowances): void;
  /** The principal the kernel authenticated for this request on its headers, before reading its body. */
  principalOf(req: IncomingMessage): Principal | undefined;
  /** Declares a transport's own paths: their extra CORS origins and their protected resources (see the type). */
  declareHttpResources(declaration: HttpResourceDeclaration): void;
  /**
   * The `WWW-Authenticate` value for a 401 or 403 on this request: `Bearer realm="sandboxed"`, plus
   * `resource_metadata` (the resource's RFC 9728 metadata URL) when the gateway advertises one, `scope`
   * and `error` as given.
   */
  bearerChallenge(req: IncomingMessage, challenge: BearerChallenge): string;
}

export type JsonSchema = Record<string, unknown>;

export interface SchemaCatalog {
  /** JSON Schema for a DTO class, with nested DTOs inlined. */
  schemaFor(dto: abstract new (...args: never[]) => unknown): JsonSchema;
}

export interface Limits {
  exec: { timeoutMs: number; maxTimeoutMs: number; maxOutputBytes: number };
  /** `timeoutMs` bounds each command a files operation runs in the sandbox. */
  files: { maxReadBytes: number; maxWriteBytes: number; maxListEntries: number; timeoutMs: number };
  sandbox: { defaultTtlSeconds: number; maxTtlSeconds: number };
}

export interface GatewayInfo {
  version: string;
  runtime: string;
  startedAt: Date;
}
