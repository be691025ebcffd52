import type { Tool, ToolAnnotations } from '@modelcontextprotocol/server';
import type { JsonSchema, OperationDefinition, OperationInvoker, SchemaCatalog } from '@sandboxed/plugin-sdk';
import type { McpTool } from './mcp.tool.js';
import { collectStream, STREAM_RESULT_SCHEMA } from './stream-result.collector.js';
import { argumentNamesFor, operationInput, renameSchemaArguments } from './tool-argument.names.js';
import { toolNameFor } from './tool-name.js';
import { mediaResult, toolResult } from './tool-result.js';

/** The argument that addresses the sandbox of a sandbox-scoped operation. */
export const SANDBOX_ID_ARG = 'sandbox_id';

export const SANDBOX_ID_SCHEMA = { type: 'string', description: 'Id of the sandbox to act in (from sandbox_create)' };

export interface OperationToolDeps {
  catalog: SchemaCatalog;
  invoker: OperationInvoker;
  /** Cap on the output a streaming operation's result carries. */
  maxOutputBytes: number;
}

/** Raw byte transfers (`http.body: 'octets'`, `output: 'binary'`) are REST-only. */
export function isBinaryOperation(op: OperationDefinition): boolean {
  return op.http?.body === 'octets' || (!op.stream && op.output === 'binary');
}

export function annotationsFor(op: OperationDefinition): ToolAnnotations {
  const hints = op.hints ?? {};
  const readOnly = hints.readOnly === true;
  return {
    title: op.summary,
    readOnlyHint: readOnly,
    destructiveHint: readOnly ? false : (hints.destructive ?? true),
    idempotentHint: hints.idempotent ?? false,
    openWorldHint: false,
  };
}

function inputSchemaFor(op: OperationDefinition, catalog: SchemaCatalog): JsonSchema {
  const base = catalog.schemaFor(op.input as never);
  if (op.scope !== 'sandbox') return base;
  const properties = (base.properties ?? {}) as Record<string, unknown>;
  if (SANDBOX_ID_ARG in properties) {
    throw new Error(
      `Operation ${op.id}: its input has a "${SANDBOX_ID_ARG}" field, which MCP uses to address the sandbox`,
    );
  }
  return {
    ...base,
    properties: {
      [SANDBOX_ID_ARG]: SANDBOX_ID_SCHEMA,
      ...properties,
    },
    required: [SANDBOX_ID_ARG, ...((base.required as string[] | undefined) ?? [])],
  };
}

function outputSchemaFor(op: OperationDefinition, catalog: SchemaCatalog): JsonSchema | undefined {
  if (op.stream) return STREAM_RESULT_SCHEMA;
  // Media results carry their bytes as content items, so there is no structured copy to describe.
  if (!op.output || op.output === 'binary' || op.media) return undefined;
  const schema = catalog.schemaFor(op.output as never);
  return schema.type === 'object' ? schema : undefined;
}

function describe(op: OperationDefinition): string {
  const text = op.description ?? op.summary;
  if (!op.stream) return text;
  return `${text}\n\nOver MCP, output arrives as progress notifications (when the call carries a progressToken) and logging messages while it runs; the result holds all of it.`;
}

/** The MCP tool of one registered operation: name, schemas and annotations come from the operation itself. */
export function operationTool(op: OperationDefinition, deps: OperationToolDeps): McpTool {
  const outputSchema = outputSchemaFor(op, deps.catalog);
  const baseInput = inputSchemaFor(op, deps.catalog);
  const names = argumentNamesFor(op.id, Object.keys((baseInput.properties ?? {}) as object));
  const definition = {
    name: toolNameFor(op.id),
    title: op.summary,
    description: describe(op),
    inputSchema: renameSchemaArguments(baseInput, names),
    ...(outputSchema ? { outputSchema } : {}),
    annotations: annotationsFor(op),
  } as Tool;
  return {
    definition,
    operations: [op.id],
    opId: op.id,
    async call(args, ctx) {
      const { [SANDBOX_ID_ARG]: sandboxId, ...rest } = operationInput(args, names);
      const request =
        op.scope === 'sandbox' ? { sandboxId: String(sandboxId), input: rest } : { input: operationInput(args, names) };
      if (op.stream) {
        const events = await deps.invoker.stream(op.id, request, ctx.principal, ctx.signal);
        return collectStream(events, ctx.events, deps.maxOutputBytes);
      }
      const output = await deps.invoker.invoke(op.id, request, ctx.principal, ctx.signal);
      return op.media ? mediaResult(op.media(output as never)) : toolResult(output);
    },
  };
}
