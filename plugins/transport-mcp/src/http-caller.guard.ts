import { Inject, Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import {
  AUTHENTICATOR,
  hasScope,
  OPERATION_REGISTRY,
  REQUEST_ADMISSION,
  toSandboxedError,
  type Authenticator,
  type OperationRegistry,
  type Principal,
  type RequestAdmission,
} from '@sandboxed/plugin-sdk';
import { mcpHttpResources, mcpResourceOf } from './http-resource.paths.js';
import { ErrorCode } from './json-rpc.error-codes.js';
import { McpHttpError } from './json-rpc.http-error.js';
import { MCP_OPTIONS } from './mcp.tokens.js';
import { DEFAULT_PROFILE, type ResolvedMcpOptions } from './mcp-options.dto.js';
import { profileScopes } from './profile-scopes.js';
import { McpToolCatalog } from './tool.catalog.js';

/**
 * Runs on every MCP HTTP request, not only at initialize: Host and Origin checks, then the REST auth,
 * then that the token holds at least one scope the endpoint's tools need (403 `insufficient_scope`
 * otherwise). Refusals carry the kernel's `WWW-Authenticate` challenge, which names the endpoint's
 * RFC 9728 metadata when OAuth discovery is on. The routes' `onRequest` hook admits each request
 * before its body is read; handlers asking again get the same answer.
 */
@Injectable()
export class McpHttpGuard {
  private readonly admitted = new WeakMap<FastifyRequest, Promise<Principal>>();
  private readonly profiles: string[];
  private readonly scopes = new Map<string, string[]>();

  constructor(
    @Inject(AUTHENTICATOR) private readonly auth: Authenticator,
    @Inject(MCP_OPTIONS) private readonly options: ResolvedMcpOptions,
    @Inject(REQUEST_ADMISSION) private readonly admission: RequestAdmission,
    private readonly catalog: McpToolCatalog,
    @Inject(OPERATION_REGISTRY) private readonly registry: OperationRegistry,
  ) {
    this.profiles = Object.keys(options.profiles);
    admission.declareHttpResources(mcpHttpResources(this.profiles, options.allowedOrigins));
  }

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
    const resource = mcpResourceOf(req, this.profiles);
    const scope = this.scopesOf((req.params as { profile?: string } | undefined)?.profile ?? DEFAULT_PROFILE);
    let principal: Principal;
    try {
      principal = await this.auth.authenticate(req.headers);
    } catch (err) {
      const e = toSandboxedError(err);
      const error = req.headers.authorization ? ('invalid_token' as const) : undefined;
      const headers: Record<string, string> =
        e.status === 401
          ? { 'www-authenticate': this.admission.bearerChallenge(req.raw, { resource, scope, error }) }
          : {};
      throw new McpHttpError(e.status, ErrorCode.InvalidRequest, e.message, headers);
    }
    if (scope.length > 0 && !scope.some((s) => hasScope(principal, s))) {
      const challenge = this.admission.bearerChallenge(req.raw, { resource, scope, error: 'insufficient_scope' });
      throw new McpHttpError(
        403,
        ErrorCode.InvalidRequest,
        `Forbidden: the tools here need the scope ${scope.join(' or ')}, and the token has ${principal.scopes.length ? principal.scopes.join(' ') : 'no scopes'}`,
        { 'www-authenticate': challenge },
      );
    }
    return principal;
  }

  /** The scopes of a profile's tools; none for a profile that does not exist (the handler answers 404). */
  private scopesOf(profile: string): string[] {
    let scopes = this.scopes.get(profile);
    if (!scopes) {
      const set = this.catalog.toolSet(profile);
      scopes = set ? profileScopes(set, this.registry) : [];
      if (set) this.scopes.set(profile, scopes);
    }
    return scopes;
  }
}
