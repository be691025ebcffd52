import type { CallToolResult, Tool, ToolAnnotations } from '@modelcontextprotocol/server';
import type { JsonSchema } from '@sandboxed/plugin-sdk';
import type { AliasDeps } from './alias.deps.js';
import type { McpTool } from './mcp.tool.js';
import { SANDBOX_ID_ARG, SANDBOX_ID_SCHEMA } from './operation-tool.factory.js';

/**
 * A property of an operation's input, under an agent tool's name and description: its type and limits
 * (maxLength, minimum, ...) stay the operation's own, so the tool refuses what the operation would.
 */
export function opProperty(deps: AliasDeps, opId: string, property: string, description: string): JsonSchema {
  const {
    examples: _examples,
    description: _description,
    ...schema
  } = deps.inputPropertyOf(opId, property) ?? {
    type: 'string',
  };
  return { ...schema, description };
}

/** An agent tool's input schema: its own properties after a required `sandbox_id`. */
export function agentInputSchema(properties: Record<string, JsonSchema>, required: string[]): Tool['inputSchema'] {
  return {
    type: 'object',
    properties: { [SANDBOX_ID_ARG]: SANDBOX_ID_SCHEMA, ...properties },
    required: [SANDBOX_ID_ARG, ...required],
    additionalProperties: false,
  };
}

export function agentAnnotations(title: string, kind: 'read' | 'write' | 'run'): ToolAnnotations {
  return {
    title,
    readOnlyHint: kind === 'read',
    destructiveHint: kind === 'write',
    idempotentHint: kind === 'read',
    openWorldHint: false,
  };
}

/** The text the model reads, and the same facts as `structuredContent` for programs. */
export function agentResult(text: string, structured: Record<string, unknown>): CallToolResult {
  return { content: [{ type: 'text', text }], structuredContent: structured };
}

/** The sandbox an agent tool acts in (a bound endpoint sets it; see sandbox-binding.ts). */
export const sandboxOf = (args: Record<string, unknown>): string => String(args[SANDBOX_ID_ARG]);

/** Agent tools are shown only where a profile names them (`/mcp/agent`). */
export function agentTool(tool: Omit<McpTool, 'namedOnly'>): McpTool {
  return { ...tool, namedOnly: true };
}
