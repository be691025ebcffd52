import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { drainRefusedBody, GATEWAY_INFO, ROUTE_ACCESS, type GatewayInfo } from '@sandboxed/plugin-sdk';
import { McpHttpGuard } from './http-caller.guard.js';
import { McpHttpError, sendRpcError, toMcpHttpError } from './json-rpc.http-error.js';
import type { McpHttpHandlers } from './mcp-http.handlers.js';
import { DEFAULT_PROFILE } from './mcp-options.dto.js';
import { endpointKey } from './sandbox-binding.js';
import { McpSessionStore } from './session.store.js';
import { SSE_MESSAGES_PATH } from './sse-messages.path.js';
import { McpToolCatalog } from './tool.catalog.js';

type Handler = (req: FastifyRequest, reply: FastifyReply) => Promise<void>;

/** `agent`, or `agent/<sandbox-id>` on an endpoint bound to one sandbox (see sandbox-binding.ts). */
const profileOf = (req: FastifyRequest): string => {
  const { profile, sandbox } = req.params as { profile?: string; sandbox?: string };
  return endpointKey(profile ?? DEFAULT_PROFILE, sandbox);
};

/** Mounts the MCP HTTP endpoints in their own Fastify scope, which keeps JSON bodies as text. */
@Injectable()
export class McpHttpRoutes implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('McpTransport');
  private handlers?: Promise<McpHttpHandlers>;

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly guard: McpHttpGuard,
    private readonly store: McpSessionStore,
    private readonly catalog: McpToolCatalog,
    @Inject(GATEWAY_INFO) private readonly info: GatewayInfo,
  ) {}

  /** Imported by the first admitted request (see mcp-http.handlers.ts). */
  private loadHandlers(): Promise<McpHttpHandlers> {
    return (this.handlers ??= import('./mcp-http.handlers.js').then(({ createMcpHttpHandlers }) =>
      createMcpHttpHandlers({ guard: this.guard, store: this.store, catalog: this.catalog, info: this.info }),
    ));
  }

  async onModuleDestroy(): Promise<void> {
    await (await this.handlers)?.close();
  }

  onApplicationBootstrap(): void {
    const fastify = this.adapterHost.httpAdapter?.getInstance<FastifyInstance>();
    if (!fastify) return;
    void fastify.register(async (scope) => {
      // Admitted by McpHttpGuard (the gateway's policy, answered as JSON-RPC), not by the kernel's hook.
      scope.addHook('onRoute', (route) => {
        route.config = { ...(route.config as object), [ROUTE_ACCESS]: 'self' } as typeof route.config;
      });
      // Credentials on the headers, before the body is read: an unauthenticated body is never buffered.
      scope.addHook('onRequest', async (req, reply) => {
        try {
          await this.guard.admit(req);
        } catch (err) {
          drainRefusedBody(req.raw);
          sendRpcError(reply, toMcpHttpError(err));
          return reply;
        }
      });
      // Parsed in the handlers, so malformed JSON gets a JSON-RPC parse error instead of Fastify's 400.
      scope.removeAllContentTypeParsers();
      scope.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => done(null, body));
      scope.addContentTypeParser('*', (_req, _payload, done) => done(null, undefined));
      scope.setErrorHandler((err, _req, reply) => sendRpcError(reply, toMcpHttpError(err)));
      const mcp = this.guarded(async (req, reply) =>
        (await this.loadHandlers()).streamable.handle(req, reply, profileOf(req)),
      );
      const sse = this.guarded(async (req, reply) => (await this.loadHandlers()).sse.open(req, reply, profileOf(req)));
      scope.route({ method: ['GET', 'POST', 'DELETE'], url: '/mcp', handler: mcp });
      scope.route({ method: ['GET', 'POST', 'DELETE'], url: '/mcp/:profile', handler: mcp });
      scope.route({ method: ['GET', 'POST', 'DELETE'], url: '/mcp/:profile/:sandbox', handler: mcp });
      scope.get('/sse', sse);
      scope.get('/sse/:profile', sse);
      scope.get('/sse/:profile/:sandbox', sse);
      scope.post(
        SSE_MESSAGES_PATH,
        this.guarded(async (req, reply) => (await this.loadHandlers()).sse.message(req, reply)),
      );
    });
    this.logger.log(
      `MCP endpoints: /mcp (streamable HTTP, 2025-11-25 sessions and 2026-07-28), /sse + ${SSE_MESSAGES_PATH} (legacy SSE)`,
    );
  }

  private guarded(handler: Handler): Handler {
    return async (req, reply) => {
      try {
        await handler(req, reply);
      } catch (err) {
        if (!(err instanceof McpHttpError))
          this.logger.error(`MCP request failed: ${(err as Error)?.stack ?? String(err)}`);
        sendRpcError(reply, toMcpHttpError(err));
      }
    };
  }
}
