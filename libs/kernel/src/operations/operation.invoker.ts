import { Inject, Injectable, Logger } from '@nestjs/common';
import {
  CHANNEL_REGISTRY,
  ForbiddenError,
  hasScope,
  InvalidArgumentError,
  NotFoundError,
  OPERATION_REGISTRY,
  requiredScopeOf,
  SandboxedError,
  toSandboxedError,
  type ChannelRegistry,
  type InvocationRequest,
  type OpenedChannel,
  type OperationContext,
  type OperationDefinition,
  type OperationEvent,
  type OperationInvoker,
  type OperationLogger,
  type OperationRegistry,
  type Principal,
  type SandboxOperationContext,
} from '@sandboxed/plugin-sdk';
import { SandboxService } from '../sandbox/sandbox.service.js';
import { validateInput } from './input.validator.js';

interface Prepared {
  op: OperationDefinition;
  ctx: OperationContext | SandboxOperationContext;
  input: object;
}

/** The one invoke path for every transport: validate, authorize, resolve the sandbox, run, map errors. */
@Injectable()
export class KernelOperationInvoker implements OperationInvoker {
  private readonly logger = new Logger('OperationInvoker');

  constructor(
    @Inject(OPERATION_REGISTRY) private readonly registry: OperationRegistry,
    private readonly sandboxes: SandboxService,
    @Inject(CHANNEL_REGISTRY) private readonly channels: ChannelRegistry,
  ) {}

  async invoke(opId: string, req: InvocationRequest, principal: Principal, signal: AbortSignal): Promise<unknown> {
    const { op, ctx, input } = await this.prepare(opId, req, principal, signal);
    if (op.stream) throw new InvalidArgumentError(`Operation ${opId} streams; use its streaming endpoint`);
    try {
      return await (op.handler as (c: typeof ctx, i: object) => Promise<unknown>)(ctx, input);
    } catch (err) {
      throw await this.settle(opId, ctx, err);
    }
  }

  async stream(
    opId: string,
    req: InvocationRequest,
    principal: Principal,
    signal: AbortSignal,
  ): Promise<AsyncIterable<OperationEvent>> {
    const { op, ctx, input } = await this.prepare(opId, req, principal, signal);
    if (!op.stream) throw new InvalidArgumentError(`Operation ${opId} does not stream`);
    const events = (op.handler as (c: typeof ctx, i: object) => AsyncIterable<OperationEvent>)(ctx, input);
    return this.guard(opId, ctx, events);
  }

  async open(
    channelId: string,
    req: InvocationRequest,
    principal: Principal,
    signal: AbortSignal,
  ): Promise<OpenedChannel> {
    const channel = this.channels.get(channelId);
    if (!channel) throw new NotFoundError(`Unknown channel "${channelId}"`);
    const scope = requiredScopeOf(channel);
    if (!hasScope(principal, scope)) throw new ForbiddenError(`This channel needs the "${scope}" scope`);
    const input = await validateInput(channel.input, req.input);
    const sandbox = await this.sandboxes.getOwned(principal, req.sandboxId);
    const ctx: SandboxOperationContext = {
      principal,
      signal,
      logger: this.loggerFor(channelId, principal),
      sandbox,
      runtime: this.sandboxes.runtime(),
    };
    try {
      if (channel.kind === 'tunnel') return { kind: 'tunnel', stream: await channel.open(ctx, input) };
      if (channel.kind === 'frames') return { kind: 'frames', channel: await channel.open(ctx, input) };
      return { kind: 'messages', channel: await channel.open(ctx, input) };
    } catch (err) {
      throw await this.settle(channelId, ctx, err);
    }
  }

  private async *guard(
    opId: string,
    ctx: OperationContext | SandboxOperationContext,
    events: AsyncIterable<OperationEvent>,
  ): AsyncGenerator<OperationEvent> {
    try {
      yield* events;
    } catch (err) {
      yield { type: 'error', error: (await this.settle(opId, ctx, err)).toJSON() };
    }
  }

  /**
   * The error a caller gets. An unexpected failure of a sandbox operation whose sandbox is gone by
   * now was a DELETE (or expiry) racing it: that is a 404, whatever the engine said.
   */
  private async settle(
    opId: string,
    ctx: OperationContext | SandboxOperationContext,
    err: unknown,
  ): Promise<SandboxedError> {
    const unexpected = !(err instanceof SandboxedError) || err.code === 'internal';
    if (unexpected && 'sandbox' in ctx && (await this.sandboxes.wasDeleted(ctx.sandbox.id))) {
      this.logger.debug(`Operation ${opId} failed as its sandbox ${ctx.sandbox.id} went away: ${String(err)}`);
      return new NotFoundError(`Sandbox ${ctx.sandbox.id} not found: it was deleted while ${opId} ran`);
    }
    return this.mapError(opId, err);
  }

  private mapError(opId: string, err: unknown): SandboxedError {
    if (!(err instanceof SandboxedError)) {
      this.logger.error(`Operation ${opId} failed: ${(err as Error)?.stack ?? String(err)}`);
    }
    return toSandboxedError(err);
  }

  private async prepare(
    opId: string,
    req: InvocationRequest,
    principal: Principal,
    signal: AbortSignal,
  ): Promise<Prepared> {
    const op = this.registry.get(opId);
    if (!op) throw new NotFoundError(`Unknown operation "${opId}"`);
    const scope = requiredScopeOf(op);
    if (!hasScope(principal, scope)) throw new ForbiddenError(`This operation needs the "${scope}" scope`);
    const input = await validateInput(op.input, req.input);
    // A client can go away before the handler reads the body, or after it stopped: such an error
    // must reach whoever consumes the stream, never surface as an unhandled 'error' event.
    req.body?.on('error', () => undefined);
    const base: OperationContext = { principal, signal, logger: this.loggerFor(opId, principal), body: req.body };
    if (op.scope !== 'sandbox') return { op, ctx: base, input };
    const sandbox = await this.sandboxes.getOwned(principal, req.sandboxId);
    return { op, ctx: { ...base, sandbox, runtime: this.sandboxes.runtime() }, input };
  }

  private loggerFor(opId: string, principal: Principal): OperationLogger {
    const log = new Logger(opId);
    const fmt = (m: string, meta?: Record<string, unknown>): string =>
      `${m} ${JSON.stringify({ principal: principal.id, ...meta })}`;
    return {
      debug: (m, meta) => log.debug(fmt(m, meta)),
      info: (m, meta) => log.log(fmt(m, meta)),
      warn: (m, meta) => log.warn(fmt(m, meta)),
      error: (m, meta) => log.error(fmt(m, meta)),
    };
  }
}
