/** The transport-mcp plugin's resolved options (ResolvedMcpOptions). */
export const MCP_OPTIONS = Symbol.for('sandboxed.mcp.Options');
