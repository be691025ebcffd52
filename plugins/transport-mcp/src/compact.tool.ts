import type { McpTool } from './mcp.tool.js';

/**
 * A tool as a compact profile lists it: without its output schema, which is most of the bytes of many
 * tools. Its results are unchanged (`structuredContent` plus the same JSON as text).
 */
export function compactTool(tool: McpTool): McpTool {
  if (!tool.definition.outputSchema) return tool;
  const { outputSchema: _omitted, ...definition } = tool.definition;
  return { ...tool, definition };
}
