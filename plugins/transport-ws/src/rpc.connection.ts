import {
  BinaryBody,
  InvalidArgumentError,
  LimitExceededError,
  ConflictError,
  NotFoundError,
  toSandboxedError,
  type OperationEvent,
  type OperationInvoker,
  type OperationRegistry,
  type Principal,
  type SandboxedError,
} from '@sandboxed/plugin-sdk';
import type { RawData } from 'ws';
import type { FrameSender } from './frame.sender.js';
import { parseRpcFrame, type RpcId, type RpcRequest } from './rpc-frame.parser.js';
import { invocationFor } from './sandbox-address.js';
import type { SocketInbox } from './socket.inbox.js';

export interface RpcDeps {
  invoker: OperationInvoker;
  registry: OperationRegistry;
  maxSubscriptions: number;
  maxInFlight: number;
}

type Call = Extract<RpcRequest, { kind: 'call' }>;

/**
 * One authenticated `/v1/ws` connection: each `{id, op, ...}` frame is one invoke (or, with
 * `stream: true`, one subscription) through the kernel's invoker, answered by frames carrying
 * the same `id`. Closing the socket aborts everything it started.
 */
export class RpcConnection {
  private readonly calls = new Map<string, { controller: AbortController; stream: boolean }>();

  constructor(
    inbox: SocketInbox,
    private readonly principal: Principal,
    private readonly sender: FrameSender,
    private readonly deps: RpcDeps,
  ) {
    inbox.socket.once('close', () => {
      for (const call of this.calls.values()) call.controller.abort();
    });
    inbox.take((data, isBinary) => this.onMessage(data, isBinary));
  }

  private onMessage(data: RawData, isBinary: boolean): void {
    if (isBinary)
      return void this.sender.send({ id: null, error: new InvalidArgumentError('Send JSON text frames').toJSON() });
    const parsed = parseRpcFrame(data.toString());
    if (!parsed.ok) return void this.sender.send({ id: parsed.id, error: parsed.error.toJSON() });
    const req = parsed.request;
    const key = JSON.stringify(req.id);
    if (req.kind === 'cancel') {
      const call = this.calls.get(key);
      if (!call)
        return void this.sender.send({ id: req.id, error: new NotFoundError('No running call has this id').toJSON() });
      return void call.controller.abort();
    }
    const refusal = this.refusal(key, req);
    if (refusal) return void this.sender.send({ id: req.id, error: refusal.toJSON() });
    const controller = new AbortController();
    this.calls.set(key, { controller, stream: req.stream });
    const run = req.stream ? this.stream(req, controller.signal) : this.invoke(req, controller.signal);
    void run.finally(() => this.calls.delete(key));
  }

  private refusal(key: string, req: Call): SandboxedError | undefined {
    if (this.calls.has(key)) return new ConflictError('A call with this id is still running; use a new id');
    const streams = [...this.calls.values()].filter((c) => c.stream).length;
    if (req.stream && streams >= this.deps.maxSubscriptions) {
      return new LimitExceededError(
        `At most ${this.deps.maxSubscriptions} subscriptions per connection; cancel one first`,
      );
    }
    if (!req.stream && this.calls.size - streams >= this.deps.maxInFlight) {
      return new LimitExceededError(`At most ${this.deps.maxInFlight} calls in flight per connection`);
    }
    const op = this.deps.registry.get(req.op);
    if (op && (op.http?.body === 'octets' || (!op.stream && op.output === 'binary'))) {
      return new InvalidArgumentError(`Operation ${req.op} moves raw bytes; use its REST route`);
    }
    return undefined;
  }

  private async invoke(req: Call, signal: AbortSignal): Promise<void> {
    try {
      const request = invocationFor(this.deps.registry.get(req.op), req);
      const result = await this.deps.invoker.invoke(req.op, request, this.principal, signal);
      if (result instanceof BinaryBody) {
        result.stream.destroy();
        throw new InvalidArgumentError(`Operation ${req.op} returns raw bytes; use its REST route`);
      }
      if (signal.aborted) return void this.sender.send({ id: req.id, end: true, cancelled: true });
      this.sender.send({ id: req.id, result: result ?? null });
    } catch (err) {
      if (signal.aborted) return void this.sender.send({ id: req.id, end: true, cancelled: true });
      this.sender.send({ id: req.id, error: toSandboxedError(err).toJSON() });
    }
  }

  private async stream(req: Call, signal: AbortSignal): Promise<void> {
    let events: AsyncIterable<OperationEvent>;
    try {
      const request = invocationFor(this.deps.registry.get(req.op), req);
      events = await this.deps.invoker.stream(req.op, request, this.principal, signal);
    } catch (err) {
      return void this.sender.send({ id: req.id, error: toSandboxedError(err).toJSON() });
    }
    const iterator = events[Symbol.asyncIterator]();
    // A producer that ignores the signal must not keep a cancelled subscription open.
    const cancelled = new Promise<IteratorResult<OperationEvent>>((resolve) =>
      signal.addEventListener('abort', () => resolve({ done: true, value: undefined }), { once: true }),
    );
    try {
      for (;;) {
        const next = await Promise.race([iterator.next(), cancelled]);
        if (next.done || signal.aborted) break;
        if (!(await this.sender.sendPaced({ id: req.id, event: next.value }))) return;
      }
      this.sender.send(signal.aborted ? { id: req.id, end: true, cancelled: true } : { id: req.id, end: true });
    } catch (err) {
      this.sender.send({ id: req.id, error: toSandboxedError(err).toJSON() });
    } finally {
      void Promise.resolve(iterator.return?.()).catch(() => undefined);
    }
  }
}

export type { RpcId };
