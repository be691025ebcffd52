import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { ErrorCode } from './json-rpc.error-codes.js';

/**
 * The SDK's stdio transport drops a line it cannot parse and only reports it through `onerror`.
 * JSON-RPC wants an answer with id null: -32700 for bad JSON, -32600 for JSON that is no message.
 */
export function replyToUnreadableLine(err: Error): JSONRPCMessage | undefined {
  let error: { code: number; message: string } | undefined;
  if (err instanceof SyntaxError)
    error = { code: ErrorCode.ParseError, message: 'Parse error: the line is not valid JSON' };
  else if (err.name === 'ZodError' || Array.isArray((err as { issues?: unknown }).issues)) {
    error = { code: ErrorCode.InvalidRequest, message: 'Invalid Request: not a JSON-RPC 2.0 message' };
  }
  return error ? ({ jsonrpc: '2.0', id: null, error } as unknown as JSONRPCMessage) : undefined;
}

/** The answer to a batch line: JSON-RPC batches were never part of MCP's stdio transport here. */
export function batchNotSupported(): JSONRPCMessage {
  const error = {
    code: ErrorCode.InvalidRequest,
    message: 'Invalid Request: JSON-RPC batches are not supported on stdio; send one message per line',
  };
  return { jsonrpc: '2.0', id: null, error } as unknown as JSONRPCMessage;
}
