/**
 * A JSON-RPC error for a request handler to throw. Not the SDK's McpError: its message already
 * reads "MCP error <code>: ...", the SDK sends that message as is, and the client prefixes it
 * again ("MCP error -32602: MCP error -32602: Unknown tool").
 */
export function protocolError(code: number, message: string): Error & { code: number } {
  return Object.assign(new Error(message), { code });
}
