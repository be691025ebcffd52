import {
  isInitializeRequest,
  LATEST_PROTOCOL_VERSION,
  SUPPORTED_PROTOCOL_VERSIONS,
} from '@modelcontextprotocol/server';
import { ErrorCode } from './json-rpc.error-codes.js';
import { McpHttpError } from './json-rpc.http-error.js';

/** MCP versions with JSON-RPC batching: 2025-03-26 added it, 2025-06-18 removed it again. */
const BATCHING_VERSIONS: ReadonlySet<string> = new Set(['2025-03-26']);

/** The version the SDK's Server answers an initialize with: the one asked for if it speaks it, else its latest. */
export function negotiatedVersion(initialize: unknown): string {
  const asked = (initialize as { params?: { protocolVersion?: unknown } } | null)?.params?.protocolVersion;
  return typeof asked === 'string' && SUPPORTED_PROTOCOL_VERSIONS.includes(asked) ? asked : LATEST_PROTOCOL_VERSION;
}

/**
 * Why a POST body must be refused as a batch, or undefined when it is a single message or a batch
 * the session's version allows. `version` is the session's negotiated version; without one the
 * transport never batches (`where` names it). Refusals are what the spec asks for: HTTP 400 with
 * a JSON-RPC Invalid Request error and no id.
 */
export function batchRefusal(body: unknown, version: string | undefined, where: string): McpHttpError | undefined {
  if (!Array.isArray(body)) return undefined;
  if (body.some((m) => isInitializeRequest(m))) {
    return new McpHttpError(
      400,
      ErrorCode.InvalidRequest,
      'Invalid Request: initialize must not be part of a JSON-RPC batch; send it on its own',
    );
  }
  if (version && BATCHING_VERSIONS.has(version)) return undefined;
  const why = version ? `in protocol version ${version} (only 2025-03-26 has them)` : `on ${where}`;
  return new McpHttpError(
    400,
    ErrorCode.InvalidRequest,
    `Invalid Request: JSON-RPC batches are not supported ${why}; send one message per request`,
  );
}
