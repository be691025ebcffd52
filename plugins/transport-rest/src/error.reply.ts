import type { FastifyReply } from 'fastify';
import { SandboxedError, toSandboxedError, UnauthorizedError, type ErrorCode } from '@sandboxed/plugin-sdk';

interface FastifyLikeError {
  statusCode?: number;
  code?: string;
  message?: string;
}

const FASTIFY_CODES: Record<string, [number, ErrorCode, string]> = {
  FST_ERR_CTP_BODY_TOO_LARGE: [413, 'limit_exceeded', 'Request body is larger than server.bodyLimitBytes'],
  FST_ERR_CTP_INVALID_MEDIA_TYPE: [415, 'invalid_argument', 'Unsupported Content-Type; send application/json'],
  FST_ERR_CTP_EMPTY_JSON_BODY: [400, 'invalid_argument', 'Body is empty but Content-Type is application/json'],
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: [400, 'invalid_argument', 'Content-Length does not match the body'],
};

/** Maps anything thrown on a route to the error envelope `{ error: { code, message, details } }`. */
export function toHttpError(err: unknown): SandboxedError {
  if (err instanceof SandboxedError) return err;
  const e = err as FastifyLikeError;
  const known = e.code ? FASTIFY_CODES[e.code] : undefined;
  if (known) return new SandboxedError(known[1], known[0], known[2]);
  if (err instanceof SyntaxError || (e.statusCode === 400 && /JSON/i.test(e.message ?? ''))) {
    return new SandboxedError('invalid_argument', 400, `Body is not valid JSON: ${e.message}`);
  }
  if (e.statusCode && e.statusCode >= 400 && e.statusCode < 500) {
    return new SandboxedError('invalid_argument', e.statusCode, e.message ?? 'Bad request');
  }
  return toSandboxedError(err);
}

export function sendError(reply: FastifyReply, err: unknown): FastifyReply {
  const mapped = toHttpError(err);
  if (mapped instanceof UnauthorizedError || mapped.status === 401) {
    void reply.header('www-authenticate', 'Bearer realm="sandboxed"');
  }
  return reply.status(mapped.status).type('application/json').send({ error: mapped.toJSON() });
}
