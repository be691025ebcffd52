import type { Duplex } from 'node:stream';
import type { Class, OperationHints, SandboxOperationContext } from './operation.types.js';

/** One JSON message on a message channel, e.g. `{type: 'input', data: 'ls\n'}`. */
export interface ChannelMessage {
  type: string;
  [key: string]: unknown;
}

/** A live two-way conversation with a sandbox, opened by a message channel (e.g. a terminal). */
export interface MessageChannel {
  /** Messages for the caller, in order. Ends when the conversation is over. */
  readonly messages: AsyncIterable<ChannelMessage>;
  /** Delivers one message from the caller; throws InvalidArgumentError for a malformed one. */
  send(message: ChannelMessage): Promise<void>;
  /** The caller went away: release everything (kill the shell). Idempotent. */
  close(): Promise<void>;
}

interface ChannelBase<I extends object> {
  /** `area.verb`, e.g. `terminal.open`. */
  id: string;
  summary: string;
  description?: string;
  /** class-validator DTO of the opening input. */
  input: Class<I>;
  hints?: OperationHints;
  /** Defaults like operations: `sandbox:read` for read-only channels, `sandbox:write` otherwise. */
  requiredScope?: string;
  /**
   * Where HTTP-based transports mount it, below `/v1/sandboxes/{id}`. `{param}`s are filled from the
   * input; the rest of the input comes from the query string.
   */
  path: string;
  scope: 'sandbox';
}

/** JSON messages both ways (a WebSocket on HTTP transports). */
export interface MessageChannelDefinition<I extends object = object> extends ChannelBase<I> {
  kind: 'messages';
  /** Message types the caller sends and receives, for documentation. */
  accepts?: string[];
  emits?: string[];
  open(ctx: SandboxOperationContext, input: I): Promise<MessageChannel>;
}

/**
 * Raw bytes both ways. `protocol: 'http'` says the bytes are HTTP/1.1 (WebSocket upgrades
 * included), so HTTP transports mount a reverse proxy at `<path>/`: one tunnel per request.
 */
export interface TunnelDefinition<I extends object = object> extends ChannelBase<I> {
  kind: 'tunnel';
  protocol: 'http';
  open(ctx: SandboxOperationContext, input: I): Promise<Duplex>;
}

/** A live relay of opaque frames (text or binary), passed through untouched: e.g. raw CDP to a browser. */
export interface FrameChannel {
  /** Frames for the caller, in order. Ends when the other side closes. */
  readonly frames: AsyncIterable<string | Buffer>;
  /** Delivers one frame from the caller. */
  send(frame: string | Buffer): Promise<void>;
  /** The caller went away. Idempotent. */
  close(): Promise<void>;
}

/**
 * Opaque frames both ways (a WebSocket on HTTP transports, with header credentials only: the first
 * frame is the caller's, so there is no ticket frame). For protocols that bring their own framing.
 */
export interface FrameChannelDefinition<I extends object = object> extends ChannelBase<I> {
  kind: 'frames';
  open(ctx: SandboxOperationContext, input: I): Promise<FrameChannel>;
}

export type ChannelDefinition =
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  MessageChannelDefinition<any> | TunnelDefinition<any> | FrameChannelDefinition<any>;

/** What `OperationInvoker.open` hands a transport. */
export type OpenedChannel =
  | { kind: 'messages'; channel: MessageChannel }
  | { kind: 'tunnel'; stream: Duplex }
  | { kind: 'frames'; channel: FrameChannel };

/** Where capabilities register channels; transports mount them from `list()`. */
export interface ChannelRegistry {
  /** Throws when the id or the path is already taken. */
  register(channel: ChannelDefinition): void;
  get(id: string): ChannelDefinition | undefined;
  list(): ChannelDefinition[];
}
