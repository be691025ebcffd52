import type { JsonSchema, OperationInvoker } from '@sandboxed/plugin-sdk';
import type { CodeLanguage } from './code-language.js';
import type { ToolCallContext } from './mcp.tool.js';

/** What alias tools need: they only call registered operations through the invoker. */
export interface AliasDeps {
  invoker: OperationInvoker;
  /** JSON Schema of a registered operation's output DTO. */
  outputSchemaOf(opId: string): JsonSchema | undefined;
  /** The sandbox template for a language (configurable per language). */
  templateFor(language: CodeLanguage): string | undefined;
  /** For cleanups that fail after the call's own result is settled. */
  warn(message: string): void;
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
