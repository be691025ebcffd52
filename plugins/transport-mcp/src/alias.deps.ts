import type { JsonSchema, OperationInvoker } from '@sandboxed/plugin-sdk';
import type { BoundedExecOptions } from './bounded-exec.runner.js';
import type { ToolCallContext } from './mcp.tool.js';

/** What alias tools need: they only call registered operations through the invoker. */
export interface AliasDeps {
  invoker: OperationInvoker;
  /** JSON Schema of a registered operation's output DTO. */
  outputSchemaOf(opId: string): JsonSchema | undefined;
  /** Whether an operation is registered (aliases may use optional ones). */
  hasOperation(opId: string): boolean;
  /** JSON Schema of one property of a registered operation's input DTO. */
  inputPropertyOf(opId: string, property: string): JsonSchema | undefined;
  /** How long a command tool's call may take before it answers with a handle. */
  execBounds: BoundedExecOptions;
}

export function callOp<T>(
  deps: AliasDeps,
  ctx: ToolCallContext,
  opId: string,
  input: object,
  sandboxId?: string,
): Promise<T> {
  return deps.invoker.invoke(opId, { sandboxId, input }, ctx.principal, ctx.signal) as Promise<T>;
}
