import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { drainRefusedBody, ROUTE_ACCESS } from '@sandboxed/plugin-sdk';
import { McpHttpGuard } from './http-caller.guard.js';
import { McpHttpError, sendRpcError, toMcpHttpError } from './json-rpc.http-error.js';
import { DEFAULT_PROFILE } from './mcp-options.dto.js';
import { SseHandler, SSE_MESSAGES_PATH } from './sse.handler.js';
import { StreamableHttpHandler } from './streamable-http.handler.js';

type Handler = (req: FastifyRequest, reply: FastifyReply) => Promise<void>;

const profileOf = (req: FastifyRequest): string => (req.params as { profile?: string }).profile ?? DEFAULT_PROFILE;

/** Mounts the MCP HTTP endpoints in their own Fastify scope, which keeps JSON bodies as text. */
@Injectable()
export class McpHttpRoutes implements OnApplicationBootstrap {
  private readonly logger = new Logger('McpTransport');

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly streamable: StreamableHttpHandler,
    private readonly sse: SseHandler,
    private readonly guard: McpHttpGuard,
  ) {}

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
      const mcp = this.guarded((req, reply) => this.streamable.handle(req, reply, profileOf(req)));
      const sse = this.guarded((req, reply) => this.sse.open(req, reply, profileOf(req)));
      scope.route({ method: ['GET', 'POST', 'DELETE'], url: '/mcp', handler: mcp });
      scope.route({ method: ['GET', 'POST', 'DELETE'], url: '/mcp/:profile', handler: mcp });
      scope.get('/sse', sse);
      scope.get('/sse/:profile', sse);
      scope.post(
        SSE_MESSAGES_PATH,
        this.guarded((req, reply) => this.sse.message(req, reply)),
      );
    });
    this.logger.log(`MCP endpoints: /mcp (streamable HTTP), /sse + ${SSE_MESSAGES_PATH} (legacy SSE)`);
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
