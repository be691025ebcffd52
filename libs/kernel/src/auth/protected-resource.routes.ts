import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { NotFoundError, routeAccess } from '@sandboxed/plugin-sdk';
import type { GatewayConfig } from '../config/config.schema.js';
import { HttpResources, PROTECTED_RESOURCE_METADATA_PATH } from '../gateway/http-resources.registry.js';
import { publicBaseUrl } from '../gateway/public-base-url.js';
import { GATEWAY_CONFIG } from '../kernel.tokens.js';
import { ProtectedResourceMetadata } from './protected-resource.metadata.js';

/**
 * `GET /.well-known/oauth-protected-resource[/<resource path>]`: RFC 9728 metadata, public. Without OAuth
 * discovery (no issuer), 404 saying which key turns it on.
 */
@Injectable()
export class ProtectedResourceRoutes implements OnModuleInit {
  constructor(
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
    private readonly metadata: ProtectedResourceMetadata,
    private readonly resources: HttpResources,
    private readonly adapterHost: HttpAdapterHost,
  ) {}

  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter?.getInstance<FastifyInstance>();
    if (!fastify) return;
    const config = routeAccess('public');
    fastify.get(PROTECTED_RESOURCE_METADATA_PATH, { config }, (req, reply) => this.answer(req, reply, ''));
    fastify.get(`${PROTECTED_RESOURCE_METADATA_PATH}/*`, { config }, (req, reply) =>
      this.answer(req, reply, `/${(req.params as { '*': string })['*']}`),
    );
  }

  private answer(req: FastifyRequest, reply: FastifyReply, resource: string): FastifyReply {
    let error: NotFoundError | undefined;
    if (!this.metadata.enabled) {
      error = new NotFoundError(
        'OAuth discovery is off: the gateway serves RFC 9728 metadata when JWT auth has auth.jwt.issuer (or auth.jwt.authorizationServers) set',
      );
    } else if (resource !== '' && !this.resources.isResource(resource)) {
      error = new NotFoundError(
        `No protected resource at ${resource}: the gateway's metadata is at ${PROTECTED_RESOURCE_METADATA_PATH}`,
      );
    }
    if (error) return reply.code(404).type('application/json').send({ error: error.toJSON() });
    return reply
      .type('application/json')
      .send(this.metadata.document(publicBaseUrl(req.raw, this.config.server), resource));
  }
}
