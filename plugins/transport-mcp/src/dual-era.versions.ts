import type { FetchLikeMcpHandler } from '@modelcontextprotocol/node';
import { ProtocolErrorCode, SUPPORTED_PROTOCOL_VERSIONS, type JSONRPCMessage } from '@modelcontextprotocol/server';

/** The protocol revision the stateless entry serves; the 2025-era ones (SUPPORTED_PROTOCOL_VERSIONS) come by initialize. */
export const MODERN_PROTOCOL_VERSION = '2026-07-28';

interface ErrorBody {
  error?: { code?: unknown; data?: { supported?: unknown } };
}

/**
 * The SDK's modern entries answer an unsupported version with the 2026 revisions they serve, as a modern-only
 * server would. These endpoints serve the 2025 era too (by initialize), and the spec's error lists every
 * version the server supports (basic/versioning: `"supported": ["2026-07-28", "2025-11-25"]`): this adds them.
 * Returns whether `body` was such an error (changed in place).
 */
export function listEveryEra(body: unknown): boolean {
  const error = (body as ErrorBody | null)?.error;
  if (error?.code !== ProtocolErrorCode.UnsupportedProtocolVersion || !error.data) return false;
  const listed = Array.isArray(error.data.supported) ? (error.data.supported as string[]) : [];
  error.data.supported = [...new Set([...listed, MODERN_PROTOCOL_VERSION, ...SUPPORTED_PROTOCOL_VERSIONS])];
  return true;
}

/** The entry's fetch face, with `listEveryEra` applied to its 400 answers. */
export function withEveryEraListed(handler: FetchLikeMcpHandler): FetchLikeMcpHandler {
  return {
    async fetch(request, options) {
      const res = await handler.fetch(request, options);
      if (res.status !== 400 || !res.headers.get('content-type')?.includes('application/json')) return res;
      const body = (await res.json()) as unknown;
      listEveryEra(body);
      return Response.json(body, { status: res.status, headers: res.headers });
    },
  };
}

/** The same for a message about to go out on stdio. */
export function everyEraListed(message: JSONRPCMessage): JSONRPCMessage {
  listEveryEra(message);
  return message;
}
