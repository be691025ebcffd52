export { plugin, plugin as default } from './mcp-transport.plugin.js';
export { McpTransportModule } from './mcp-transport.module.js';
export { McpTransportOptions, DEFAULT_PROFILE } from './mcp-options.dto.js';
export type { ToolProfile } from './mcp-options.dto.js';
export { McpStdioServer } from './stdio.server.js';
export type { StdioServeOptions, StdioSession } from './stdio.server.js';
export { McpToolCatalog } from './tool.catalog.js';
export { toolNameFor } from './tool-name.js';
