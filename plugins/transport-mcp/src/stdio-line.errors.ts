import type { JSONRPCMessage } from '@modelcontextprotocol/server';
import { ErrorCode } from './json-rpc.error-codes.js';

/**
 * The SDK's stdio transport drops a line of JSON that is no JSON-RPC message and only reports it through
 * `onerror`. JSON-RPC wants an answer with id null: -32600.
 */
export function replyToUnreadableLine(err: Error): JSONRPCMessage | undefined {
  if (err.name !== 'ZodError' && !Array.isArray((err as { issues?: unknown }).issues)) return undefined;
  const error = { code: ErrorCode.InvalidRequest, message: 'Invalid Request: not a JSON-RPC 2.0 message' };
  return { jsonrpc: '2.0', id: null, error } as unknown as JSONRPCMessage;
}

/** The answer to a line that is not JSON (the SDK's stdio transport skips those silently). */
export function parseError(): JSONRPCMessage {
  const error = { code: ErrorCode.ParseError, message: 'Parse error: the line is not valid JSON' };
  return { jsonrpc: '2.0', id: null, error } as unknown as JSONRPCMessage;
}

/** The answer to a batch line: JSON-RPC batches were never part of MCP's stdio transport here. */
export function batchNotSupported(): JSONRPCMessage {
  const error = {
    code: ErrorCode.InvalidRequest,
    message: 'Invalid Request: JSON-RPC batches are not supported on stdio; send one message per line',
  };
  return { jsonrpc: '2.0', id: null, error } as unknown as JSONRPCMessage;
}
