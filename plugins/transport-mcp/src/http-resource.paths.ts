import type { FastifyRequest } from 'fastify';
import type { HttpResourceDeclaration } from '@sandboxed/plugin-sdk';
import { SSE_MESSAGES_PATH } from './sse-messages.path.js';

/**
 * The MCP endpoints as protected resources (OAuth discovery) and CORS paths: `/mcp` and `/sse`, and
 * `/mcp/<profile>`, `/sse/<profile>` for every profile. Posts to the legacy messages path belong to `/sse`.
 */
export function mcpHttpResources(
  profiles: readonly string[],
  allowedOrigins: readonly string[],
): HttpResourceDeclaration {
  return {
    paths: ['/mcp', '/sse', SSE_MESSAGES_PATH],
    resources: ['/mcp', '/sse', ...profiles.flatMap((p) => [`/mcp/${p}`, `/sse/${p}`])],
    allowedOrigins,
  };
}

/** The resource a request is for, by its route: `/mcp/agent` for a known profile, else `/mcp` or `/sse`. */
export function mcpResourceOf(req: FastifyRequest, profiles: readonly string[]): string {
  const base = req.routeOptions.url?.startsWith('/mcp') ? '/mcp' : '/sse';
  const profile = (req.params as { profile?: string } | undefined)?.profile;
  return profile && profiles.includes(profile) ? `${base}/${profile}` : base;
}
