import type { IncomingMessage } from 'node:http';
import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyAdapter } from '@nestjs/platform-fastify';
import type { FastifyRequest } from 'fastify';
import {
  AUTHENTICATOR,
  drainRefusedBody,
  ForbiddenError,
  ROUTE_ACCESS,
  toSandboxedError,
  type Authenticator,
  type BearerChallenge,
  type HttpResourceDeclaration,
  type OriginAllowances,
  type Principal,
  type RequestAdmission,
  type RouteAccess,
} from '@sandboxed/plugin-sdk';
import { formatBearerChallenge } from '../auth/bearer-challenge.js';
import { ProtectedResourceMetadata } from '../auth/protected-resource.metadata.js';
import type { GatewayConfig } from '../config/config.schema.js';
import { GATEWAY_CONFIG } from '../kernel.tokens.js';
import {
  CORS_ALLOWED_HEADERS,
  CORS_EXPOSED_HEADERS,
  CORS_MAX_AGE_SECONDS,
  CORS_METHODS,
  corsOriginAllowed,
  isPreflight,
} from './cors.policy.js';
import { HttpResources } from './http-resources.registry.js';
import { publicBaseUrl } from './public-base-url.js';
import { hostAllowed, originAllowed } from './request-origin.policy.js';

const first = (v: string | string[] | undefined): string | undefined => (Array.isArray(v) ? v[0] : v);
const pathOf = (req: IncomingMessage): string => (req.url ?? '/').split('?')[0];

type CorsOptions = NonNullable<Parameters<FastifyAdapter['enableCors']>[0]>;

/**
 * Admits every HTTP request before Fastify reads its body (an `onRequest` hook): Host and Origin first,
 * then, unless the route is public, the credentials in the headers. So an unauthenticated caller never
 * makes the gateway buffer a body, and a web page (DNS rebinding, cross-site) is refused up front.
 * CORS (`@fastify/cors`, through Nest's `enableCors`) runs before it and answers the preflights of
 * configured origins; any other preflight reaches this hook and gets 403.
 */
@Injectable()
export class KernelRequestAdmission implements RequestAdmission, OnModuleInit {
  private readonly principals = new WeakMap<IncomingMessage, Principal>();

  constructor(
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
    @Inject(AUTHENTICATOR) private readonly auth: Authenticator,
    private readonly adapterHost: HttpAdapterHost,
    private readonly metadata: ProtectedResourceMetadata,
    private readonly resources: HttpResources,
  ) {}

  onModuleInit(): void {
    const adapter = this.adapterHost.httpAdapter as FastifyAdapter | undefined;
    adapter?.enableCors({ delegator: (req, cb) => cb(null, this.corsOptions(req)) });
    // Fastify binds hooks to routes when it boots, after every module has initialized: this covers them all.
    const fastify = adapter?.getInstance();
    fastify?.addHook('onRequest', async (req, reply) => {
      const config = req.routeOptions.config as unknown as Record<string, unknown> | undefined;
      const access = (config?.[ROUTE_ACCESS] as RouteAccess | undefined) ?? 'authenticated';
      if (access === 'self') return;
      try {
        this.checkHostAndOrigin(req.raw, { allowedOrigins: this.resources.originsFor(pathOf(req.raw)) });
        if (isPreflight(req.raw)) {
          throw new ForbiddenError(
            `Origin "${first(req.headers.origin)}" may not call the gateway from a browser (CORS): add it to server.allowedOrigins`,
          );
        }
        if (access === 'public') return;
        this.principals.set(req.raw, await this.auth.authenticate(req.headers));
      } catch (err) {
        const error = toSandboxedError(err);
        drainRefusedBody(req.raw);
        if (error.status === 401) {
          const challenge = this.bearerChallenge(req.raw, {
            resource: '',
            error: req.headers.authorization ? 'invalid_token' : undefined,
          });
          void reply.header('www-authenticate', challenge);
        }
        return reply.code(error.status).type('application/json').send({ error: error.toJSON() });
      }
    });
  }

  /** Per request: the origin is granted only if configured for the path (see corsOriginAllowed). */
  private corsOptions(req: FastifyRequest): CorsOptions {
    const origin = first(req.headers.origin);
    const allowed = [...this.config.server.allowedOrigins, ...this.resources.originsFor(pathOf(req.raw))];
    return {
      origin: origin !== undefined && corsOriginAllowed(origin, allowed) ? origin : false,
      methods: CORS_METHODS,
      allowedHeaders: CORS_ALLOWED_HEADERS,
      exposedHeaders: CORS_EXPOSED_HEADERS,
      maxAge: CORS_MAX_AGE_SECONDS,
    };
  }

  checkHostAndOrigin(req: IncomingMessage, extra: OriginAllowances = {}): void {
    const { server } = this.config;
    const host = first(req.headers.host);
    const allowedHosts = [...server.allowedHosts, ...(extra.allowedHosts ?? [])];
    if (!hostAllowed(host, req.socket?.localAddress, allowedHosts)) {
      const name = `Host "${host ?? ''}" is not allowed`;
      if (this.auth.devMode) {
        throw new ForbiddenError(
          `${name}: without authentication the gateway answers only loopback names (127.0.0.1, localhost, [::1]). ` +
            'Use one of those, list this host in server.allowedHosts, or configure auth (auth.jwt.* or auth.apiKeys)',
        );
      }
      throw new ForbiddenError(
        `${name}: list it in server.allowedHosts (on a loopback address only loopback names are answered unless listed)`,
      );
    }
    const origin = first(req.headers.origin);
    if (!originAllowed(origin, host, [...server.allowedOrigins, ...(extra.allowedOrigins ?? [])])) {
      throw new ForbiddenError(
        origin === 'null'
          ? 'Origin "null" is not allowed (sandboxed frames and file: pages): serve the page from an origin listed in server.allowedOrigins'
          : `Origin "${origin}" is not allowed: to let web pages from it call the gateway, add it to server.allowedOrigins`,
      );
    }
  }

  principalOf(req: IncomingMessage): Principal | undefined {
    return this.principals.get(req);
  }

  declareHttpResources(declaration: HttpResourceDeclaration): void {
    this.resources.declare(declaration);
  }

  bearerChallenge(req: IncomingMessage, { resource, ...challenge }: BearerChallenge): string {
    if (!this.metadata.enabled) return formatBearerChallenge(challenge);
    // An undeclared path has no metadata of its own: point at the gateway's.
    const path = resource === '' || this.resources.isResource(resource) ? resource : '';
    const resourceMetadata = this.metadata.metadataUrl(publicBaseUrl(req, this.config.server), path);
    return formatBearerChallenge({ ...challenge, resourceMetadata });
  }
}
