import { Inject, Injectable } from '@nestjs/common';
import { ErrorCode } from '@modelcontextprotocol/sdk/types.js';
import type { FastifyRequest } from 'fastify';
import { AUTHENTICATOR, toSandboxedError, type Authenticator, type Principal } from '@sandboxed/plugin-sdk';
import { McpHttpError } from './json-rpc.http-error.js';
import { MCP_OPTIONS } from './mcp.tokens.js';
import type { ResolvedMcpOptions } from './mcp-options.dto.js';
import { hostAllowed, originAllowed } from './request-origin.policy.js';

const first = (v: string | string[] | undefined): string | undefined => (Array.isArray(v) ? v[0] : v);

/** Runs on every MCP HTTP request, not only at initialize: Host and Origin checks, then the REST auth. */
@Injectable()
export class McpHttpGuard {
  constructor(
    @Inject(AUTHENTICATOR) private readonly auth: Authenticator,
    @Inject(MCP_OPTIONS) private readonly options: ResolvedMcpOptions,
  ) {}

  async admit(req: FastifyRequest): Promise<Principal> {
    const host = first(req.headers.host);
    if (!hostAllowed(host, req.raw.socket.localAddress, this.options.allowedHosts)) {
      throw new McpHttpError(
        403,
        ErrorCode.InvalidRequest,
        `Forbidden: Host "${host ?? ''}" is not allowed (transport-mcp allowedHosts)`,
      );
    }
    const origin = first(req.headers.origin);
    if (!originAllowed(origin, host, this.options.allowedOrigins)) {
      throw new McpHttpError(
        403,
        ErrorCode.InvalidRequest,
        `Forbidden: Origin "${origin}" is not allowed (transport-mcp allowedOrigins)`,
      );
    }
    try {
      return await this.auth.authenticate(req.headers);
    } catch (err) {
      const e = toSandboxedError(err);
      const challenge = req.headers.authorization
        ? 'Bearer realm="sandboxed", error="invalid_token"'
        : 'Bearer realm="sandboxed"';
      const headers: Record<string, string> = e.status === 401 ? { 'www-authenticate': challenge } : {};
      throw new McpHttpError(e.status, ErrorCode.InvalidRequest, e.message, headers);
    }
  }
}
