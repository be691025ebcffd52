import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import {
  AUTHENTICATOR,
  BinaryBody,
  GATEWAY_INFO,
  InvalidArgumentError,
  OPERATION_INVOKER,
  OPERATION_REGISTRY,
  REQUEST_ADMISSION,
  routeAccess,
  SCHEMA_CATALOG,
  SandboxedError,
  UnauthorizedError,
  type Authenticator,
  type GatewayInfo,
  type OperationInvoker,
  type OperationRegistry,
  type RequestAdmission,
  type SchemaCatalog,
} from '@sandboxed/plugin-sdk';
import { collectDocumentedRoutes, type DocumentedRoute } from './documented-routes.collector.js';
import { sendError } from './error.reply.js';
import { buildOpenApi } from './openapi.builder.js';
import { untilCredentialsExpire } from './expiring-events.stream.js';
import { registerJsonBodyParser } from './json-body.parser.js';
import { coerceQuery } from './query.coercer.js';
import { routeFor, type RestRoute } from './route.table.js';
import { writeSse } from './sse.writer.js';
import { registerSwaggerUi } from './swagger-ui.routes.js';

/** Generates a REST route per registered operation, plus `/openapi.json` and Swagger UI at `/docs`. */
@Injectable()
export class RestRoutes implements OnModuleInit, OnApplicationBootstrap {
  private readonly logger = new Logger('RestTransport');
  private documented: DocumentedRoute[] = [];

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    @Inject(OPERATION_REGISTRY) private readonly registry: OperationRegistry,
    @Inject(OPERATION_INVOKER) private readonly invoker: OperationInvoker,
    @Inject(AUTHENTICATOR) private readonly auth: Authenticator,
    @Inject(SCHEMA_CATALOG) private readonly catalog: SchemaCatalog,
    @Inject(GATEWAY_INFO) private readonly info: GatewayInfo,
    @Inject(REQUEST_ADMISSION) private readonly admission: RequestAdmission,
  ) {}

  /** Before any plugin mounts routes (they do in onApplicationBootstrap), so none is missed. */
  onModuleInit(): void {
    this.documented = collectDocumentedRoutes(this.adapterHost.httpAdapter.getInstance<FastifyInstance>());
  }

  onApplicationBootstrap(): void {
    const fastify = this.adapterHost.httpAdapter.getInstance<FastifyInstance>();
    // Raw bodies (file uploads) reach handlers as streams; JSON routes refuse them with 415.
    fastify.addContentTypeParser('*', (_req, _payload, done) => done(null, undefined));
    registerJsonBodyParser(fastify);
    const routes = this.registry.list().map(routeFor);
    for (const route of routes) this.mount(fastify, route);
    // Built on first use: by then every plugin has mounted its documented routes.
    let spec: Record<string, unknown> | undefined;
    const document = (): Record<string, unknown> =>
      (spec ??= buildOpenApi({
        routes,
        documented: this.documented,
        catalog: this.catalog,
        auth: this.auth,
        version: this.info.version,
      }));
    fastify.addHook('onReady', async () => void document());
    fastify.get('/openapi.json', { config: routeAccess('public') }, async () => document());
    registerSwaggerUi(fastify);
    this.logger.log(`Mounted ${routes.length} operations; docs at /docs, spec at /openapi.json`);
  }

  private mount(fastify: FastifyInstance, route: RestRoute): void {
    const schema = this.catalog.schemaFor(route.op.input as never);
    fastify.route({
      method: route.method,
      url: route.url,
      errorHandler: (err, _req, reply) => sendError(reply, err),
      handler: (req, reply) => this.handle(route, schema, req, reply),
    });
  }

  private input(route: RestRoute, schema: Record<string, unknown>, req: FastifyRequest): Record<string, unknown> {
    let input: Record<string, unknown>;
    if (route.inputFrom === 'query') {
      input = coerceQuery((req.query ?? {}) as Record<string, unknown>, schema);
    } else {
      const type = req.headers['content-type'] ?? '';
      if (type && !/^application\/json\b/i.test(type)) {
        throw new SandboxedError('invalid_argument', 415, 'Send the body as application/json');
      }
      if (req.body !== undefined && (typeof req.body !== 'object' || req.body === null || Array.isArray(req.body))) {
        throw new InvalidArgumentError('Body must be a JSON object');
      }
      input = { ...((req.body as Record<string, unknown> | undefined) ?? {}) };
    }
    const params = req.params as Record<string, string>;
    for (const p of route.inputParams) input[p] = params[p];
    return input;
  }

  private async handle(
    route: RestRoute,
    schema: Record<string, unknown>,
    req: FastifyRequest,
    reply: FastifyReply,
  ): Promise<unknown> {
    // Authenticated by the kernel on the headers, before the body was read.
    const principal = this.admission.principalOf(req.raw);
    if (!principal) throw new UnauthorizedError();
    const abort = new AbortController();
    reply.raw.once('close', () => {
      if (!reply.raw.writableFinished) abort.abort();
    });
    const request = {
      sandboxId: route.sandboxScoped ? (req.params as { id: string }).id : undefined,
      input: this.input(route, schema, req),
      body: route.octets ? req.raw : undefined,
    };
    if (route.op.stream) {
      const events = await this.invoker.stream(route.op.id, request, principal, abort.signal);
      reply.hijack();
      await writeSse(reply.raw, untilCredentialsExpire(events, principal, abort));
      return reply;
    }
    const result = await this.invoker.invoke(route.op.id, request, principal, abort.signal);
    if (result instanceof BinaryBody) {
      void reply.type(result.contentType);
      if (result.size !== undefined) void reply.header('content-length', result.size);
      return reply.status(route.status).send(result.stream);
    }
    if (result === undefined || route.status === 204)
      return reply.status(route.status === 200 ? 204 : route.status).send();
    return reply.status(route.status).send(result);
  }
}
