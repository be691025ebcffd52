/**
 * The JSON-RPC 2.0 error codes this transport answers with (the same values as the SDK's `ErrorCode`).
 * Defined here because the SDK's `types.js` builds its zod schemas on import, and the code paths that run
 * at boot or refuse a request before it reaches the SDK should not load it.
 */
export const ErrorCode = {
  ParseError: -32700,
  InvalidRequest: -32600,
  InvalidParams: -32602,
  InternalError: -32603,
} as const;
