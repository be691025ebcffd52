import type { FastifyReply } from 'fastify';
import { ErrorCode } from './json-rpc.error-codes.js';

/** An HTTP-level refusal on an MCP endpoint, sent as a JSON-RPC error body with an HTTP status. */
export class McpHttpError extends Error {
  constructor(
    readonly status: number,
    readonly rpcCode: number,
    message: string,
    readonly headers: Record<string, string> = {},
    /** The id of the request being refused, when known. */
    readonly id: string | number | null = null,
  ) {
    super(message);
  }
}

interface FastifyLikeError {
  statusCode?: number;
  code?: string;
  message?: string;
}

/** Errors Fastify raises before a handler runs (body too large, bad content length). */
export function toMcpHttpError(err: unknown): McpHttpError {
  if (err instanceof McpHttpError) return err;
  const e = err as FastifyLikeError;
  if (e.code === 'FST_ERR_CTP_BODY_TOO_LARGE')
    return new McpHttpError(413, ErrorCode.InvalidRequest, 'Request body is too large');
  if (e.statusCode && e.statusCode >= 400 && e.statusCode < 500) {
    return new McpHttpError(e.statusCode, ErrorCode.InvalidRequest, e.message ?? 'Bad request');
  }
  return new McpHttpError(500, ErrorCode.InternalError, 'Internal error');
}

/** Answers with the error; works whether or not the reply was hijacked, and drops the socket if a body already started. */
export function sendRpcError(reply: FastifyReply, err: McpHttpError): void {
  const body = JSON.stringify({ jsonrpc: '2.0', id: err.id, error: { code: err.rpcCode, message: err.message } });
  const headers = { 'content-type': 'application/json', ...err.headers };
  if (reply.raw.headersSent) {
    reply.raw.destroy();
  } else if (reply.sent) {
    reply.raw.writeHead(err.status, headers).end(body);
  } else {
    void reply.code(err.status).headers(headers).send(body);
  }
}

/** The body of a JSON POST, parsed here so that malformed JSON gets a JSON-RPC parse error. */
export function parseJsonBody(raw: unknown): unknown {
  if (typeof raw !== 'string') {
    throw new McpHttpError(
      415,
      ErrorCode.InvalidRequest,
      'Unsupported Media Type: send the JSON-RPC message as application/json',
    );
  }
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    throw new McpHttpError(400, ErrorCode.ParseError, 'Parse error: the body is not valid JSON');
  }
}

/** The id of a single JSON-RPC request body, to echo in an error about it. */
export function requestIdOf(body: unknown): string | number | null {
  const id = (body as { id?: unknown } | null)?.id;
  return typeof id === 'string' || typeof id === 'number' ? id : null;
}
