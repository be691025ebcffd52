import type { CodeLanguage } from '@sandboxed/capability-code';
import type { JsonSchema, OperationInvoker } from '@sandboxed/plugin-sdk';
import type { ToolCallContext } from './mcp.tool.js';

/** What alias tools need: they only call registered operations through the invoker. */
export interface AliasDeps {
  invoker: OperationInvoker;
  /** JSON Schema of a registered operation's output DTO. */
  outputSchemaOf(opId: string): JsonSchema | undefined;
  /** The sandbox template create_sandbox picks for a language (capability-code's, unless `languageTemplates` maps it). */
  templateFor(language: CodeLanguage): string;
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
