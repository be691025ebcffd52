import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import {
  collectOutput,
  toExecResult,
  execEvents,
  KERNEL_LIMITS,
  OPERATION_REGISTRY,
  sandboxOperation,
  sandboxStreamOperation,
  type Limits,
  type OperationRegistry,
} from '@sandboxed/plugin-sdk';
import { buildExecRequest } from './exec-request.builder.js';
import { ExecInput, ExecOutput } from './exec.dto.js';

@Injectable()
export class ShellOperations implements OnModuleInit {
  constructor(
    @Inject(OPERATION_REGISTRY) private readonly registry: OperationRegistry,
    @Inject(KERNEL_LIMITS) private readonly limits: Limits,
  ) {}

  onModuleInit(): void {
    const limits = this.limits.exec;
    this.registry.register(
      sandboxOperation({
        id: 'shell.exec',
        summary: 'Run a command',
        description:
          'Runs a command in the sandbox and returns its output when it exits. The timeout kills the whole process tree. ' +
          'Each output stream is capped at limits.exec.maxOutputBytes and marked `truncated`.',
        input: ExecInput,
        output: ExecOutput,
        hints: { readOnly: false, destructive: false, idempotent: false },
        http: { method: 'POST', path: 'exec' },
        handler: async (ctx, input) => {
          const started = performance.now();
          const session = await ctx.runtime.exec(ctx.sandbox.id, buildExecRequest(input, ctx.sandbox, limits));
          const out = await collectOutput(session, {
            maxOutputBytes: limits.maxOutputBytes,
            signal: ctx.signal,
            stdin: input.stdin,
          });
          return toExecResult(out, started);
        },
      }),
    );
    this.registry.register(
      sandboxStreamOperation({
        id: 'shell.execStream',
        summary: 'Run a command, streaming its output',
        description:
          'Like shell.exec, but sends `output` events `{stream, data}` as output arrives, then one `exit` ' +
          '`{exitCode, timedOut}` or one `error`. Disconnecting kills the command.',
        input: ExecInput,
        hints: { readOnly: false, destructive: false, idempotent: false },
        http: { method: 'POST', path: 'exec/stream' },
        events: ['output', 'exit', 'error', 'truncated'],
        handler: async function* (ctx, input) {
          const session = await ctx.runtime.exec(ctx.sandbox.id, buildExecRequest(input, ctx.sandbox, limits));
          yield* execEvents(session, { maxOutputBytes: limits.maxOutputBytes, signal: ctx.signal, stdin: input.stdin });
        },
      }),
    );
  }
}
