import type { Readable } from 'node:stream';
import type { Principal } from './principal.types.js';
import type { SandboxInfo, SandboxRuntime } from './runtime.types.js';
import type { SandboxedError } from './errors.js';

export type Class<T = unknown> = new (...args: never[]) => T;

export interface OperationHints {
  readOnly?: boolean;
  destructive?: boolean;
  idempotent?: boolean;
}

export interface OperationLogger {
  debug(message: string, meta?: Record<string, unknown>): void;
  info(message: string, meta?: Record<string, unknown>): void;
  warn(message: string, meta?: Record<string, unknown>): void;
  error(message: string, meta?: Record<string, unknown>): void;
}

export interface OperationContext {
  principal: Principal;
  /** Aborted when the caller goes away or the server shuts down. */
  signal: AbortSignal;
  logger: OperationLogger;
  /** The raw request body of `http.body: 'octets'` operations. */
  body?: Readable;
}

export interface SandboxOperationContext extends OperationContext {
  sandbox: SandboxInfo;
  runtime: SandboxRuntime;
}

/** One event of a streaming operation; the same shape on SSE, WebSocket and MCP. */
export type OperationEvent =
  | { type: 'output'; stream: 'stdout' | 'stderr'; data: string }
  | { type: 'exit'; exitCode: number | null; timedOut: boolean }
  | { type: 'error'; error: ReturnType<SandboxedError['toJSON']> }
  | { type: string; [key: string]: unknown };

export interface HttpBinding {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE' | 'PATCH';
  /** Path below `/v1` (global ops) or `/v1/sandboxes/{id}` (sandbox ops). May hold `{param}`s, filled from input. */
  path: string;
  /** Status on success; defaults to 200 (204 when the output is empty). */
  status?: number;
  /**
   * `json` (default): the input is the JSON body (GET/DELETE: the query string).
   * `octets`: the input comes from the query string and the raw request body reaches the
   * handler as `ctx.body`. Octet operations are REST-only.
   */
  body?: 'json' | 'octets';
}

interface OperationBase<I extends object> {
  /** `area.verb`, e.g. `files.read`. */
  id: string;
  summary: string;
  description?: string;
  /** class-validator DTO class; one source for validation, OpenAPI and MCP schemas. */
  input: Class<I>;
  hints?: OperationHints;
  /** Auth scope the principal needs; defaults to `sandbox:read` for read-only ops and `sandbox:write` otherwise. */
  requiredScope?: string;
  http?: HttpBinding;
}

interface SandboxBound {
  /** `sandbox` ops address one sandbox: the kernel resolves it, checks the owner, and passes it in. */
  scope: 'sandbox';
}
interface Unbound {
  scope: 'global';
}

/** An image inside a result (base64), for clients that show media. */
export interface MediaImage {
  data: string;
  mimeType: string;
}

/** A result split into its media and the rest (the rest without the media's bytes). */
export interface OperationMedia {
  images: MediaImage[];
  summary: object;
}

export type UnaryOperation<I extends object, O extends object | void> = OperationBase<I> & {
  stream?: false;
  /** DTO class of the result, or `'binary'` when the handler returns a BinaryBody. */
  output?: Class<O> | 'binary';
  /**
   * Picks the media out of a result, for transports that carry media natively (MCP sends image
   * content items and the summary as text, instead of the base64 inside JSON). REST and WebSocket
   * send the result as it is.
   */
  media?: (output: O) => OperationMedia;
} & (
    | (SandboxBound & { handler(ctx: SandboxOperationContext, input: I): Promise<O> })
    | (Unbound & { handler(ctx: OperationContext, input: I): Promise<O> })
  );

export type StreamOperation<I extends object> = OperationBase<I> & {
  stream: true;
  /** Event classes documented for this stream. */
  events?: string[];
} & (
    | (SandboxBound & { handler(ctx: SandboxOperationContext, input: I): AsyncIterable<OperationEvent> })
    | (Unbound & { handler(ctx: OperationContext, input: I): AsyncIterable<OperationEvent> })
  );

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type OperationDefinition<I extends object = any, O extends object | void = any> =
  UnaryOperation<I, O> | StreamOperation<I>;

export interface OperationRegistry {
  /** Throws when the id is already taken. */
  register(op: OperationDefinition): void;
  get(id: string): OperationDefinition | undefined;
  list(): OperationDefinition[];
}
