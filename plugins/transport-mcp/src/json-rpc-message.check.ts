import { parseJSONRPCMessage } from '@modelcontextprotocol/server';

/** Whether `m` is one JSON-RPC 2.0 message (request, notification or response), by the SDK's own schema. */
export function isJsonRpcMessage(m: unknown): boolean {
  try {
    parseJSONRPCMessage(m);
    return true;
  } catch {
    return false;
  }
}

/** A POST body MCP can take: one message, or a non-empty batch of them (whether a batch is allowed is decided later). */
export function isJsonRpcBody(body: unknown): boolean {
  return Array.isArray(body) ? body.length > 0 && body.every(isJsonRpcMessage) : isJsonRpcMessage(body);
}
