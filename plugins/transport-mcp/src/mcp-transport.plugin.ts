import { definePlugin } from '@sandboxed/plugin-sdk';
import { McpTransportModule } from './mcp-transport.module.js';
import { McpTransportOptions } from './mcp-options.dto.js';

/** Every operation as an MCP tool, over streamable HTTP (`/mcp`), legacy SSE (`/sse`) and stdio. */
export const plugin = definePlugin<McpTransportOptions>({
  id: 'transport-mcp',
  kind: 'transport',
  version: '0.1.0',
  engine: '^1',
  description: 'MCP tools for every operation, plus familiar aliases, over streamable HTTP, SSE and stdio',
  options: McpTransportOptions,
  module: (options) => McpTransportModule.register(options),
});
