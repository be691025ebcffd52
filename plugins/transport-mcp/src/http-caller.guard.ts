import { Inject, Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import {
  AUTHENTICATOR,
  REQUEST_ADMISSION,
  toSandboxedError,
  type Authenticator,
  type Principal,
  type RequestAdmission,
} from '@sandboxed/plugin-sdk';
import { ErrorCode } from './json-rpc.error-codes.js';
import { McpHttpError } from './json-rpc.http-error.js';
import { MCP_OPTIONS } from './mcp.tokens.js';
import type { ResolvedMcpOptions } from './mcp-options.dto.js';

/**
 * Runs on every MCP HTTP request, not only at initialize: Host and Origin checks, then the REST auth.
 * The routes' `onRequest` hook admits each request before its body is read; handlers asking again get
 * the same answer.
 */
@Injectable()
export class McpHttpGuard {
  private readonly admitted = new WeakMap<FastifyRequest, Promise<Principal>>();

  constructor(
    @Inject(AUTHENTICATOR) private readonly auth: Authenticator,
    @Inject(MCP_OPTIONS) private readonly options: ResolvedMcpOptions,
    @Inject(REQUEST_ADMISSION) private readonly admission: RequestAdmission,
  ) {}

  admit(req: FastifyRequest): Promise<Principal> {
    let admitted = this.admitted.get(req);
    if (!admitted) this.admitted.set(req, (admitted = this.check(req)));
    return admitted;
  }

  private async check(req: FastifyRequest): Promise<Principal> {
    try {
      // The gateway's policy, plus this plugin's own allowedHosts / allowedOrigins.
      this.admission.checkHostAndOrigin(req.raw, this.options);
    } catch (err) {
      const e = toSandboxedError(err);
      throw new McpHttpError(
        e.status,
        ErrorCode.InvalidRequest,
        `Forbidden: ${e.message} (or the transport-mcp option of the same name)`,
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
