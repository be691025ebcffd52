import { Inject, Injectable } from '@nestjs/common';
import {
  CHANNEL_REGISTRY,
  OPERATION_REGISTRY,
  requiredScopeOf,
  type ChannelRegistry,
  type OperationRegistry,
} from '@sandboxed/plugin-sdk';
import type { GatewayConfig } from '../config/config.schema.js';
import { PROTECTED_RESOURCE_METADATA_PATH } from '../gateway/http-resources.registry.js';
import { GATEWAY_CONFIG } from '../kernel.tokens.js';

/** OAuth 2.0 Protected Resource Metadata (RFC 9728 section 2), the fields the gateway fills. */
export interface ProtectedResourceDocument {
  resource: string;
  authorization_servers: string[];
  scopes_supported: string[];
  bearer_methods_supported: ['header'];
  resource_name: string;
}

/**
 * What the gateway tells OAuth clients about itself as a resource server. On when JWT auth has an
 * issuer (or `auth.jwt.authorizationServers`): those are where a client gets a token.
 */
@Injectable()
export class ProtectedResourceMetadata {
  readonly enabled: boolean;
  private readonly authorizationServers: string[];
  private readonly resourceName: string;
  private scopes?: string[];

  constructor(
    @Inject(GATEWAY_CONFIG) config: GatewayConfig,
    @Inject(OPERATION_REGISTRY) private readonly operations: OperationRegistry,
    @Inject(CHANNEL_REGISTRY) private readonly channels: ChannelRegistry,
  ) {
    const { jwt } = config.auth;
    const hasJwt = Boolean(jwt.secret || jwt.publicKey || jwt.jwksUrl);
    this.authorizationServers = jwt.authorizationServers?.length
      ? jwt.authorizationServers
      : jwt.issuer
        ? [jwt.issuer]
        : [];
    this.enabled = hasJwt && this.authorizationServers.length > 0;
    this.resourceName = config.auth.resourceName ?? 'sandboxed';
  }

  /** Where the metadata of a resource (`''`: the gateway, `/mcp`) is, on a gateway reached at `baseUrl`. */
  metadataUrl(baseUrl: string, resourcePath: string): string {
    return `${baseUrl}${PROTECTED_RESOURCE_METADATA_PATH}${resourcePath}`;
  }

  /** The document for a resource; `resource` is the URL its metadata URL was built from (RFC 9728 section 3.3). */
  document(baseUrl: string, resourcePath: string): ProtectedResourceDocument {
    return {
      resource: `${baseUrl}${resourcePath}`,
      authorization_servers: this.authorizationServers,
      scopes_supported: this.scopesSupported(),
      bearer_methods_supported: ['header'],
      resource_name: this.resourceName,
    };
  }

  /** Every scope an operation or channel requires; read once the plugins have registered theirs. */
  scopesSupported(): string[] {
    this.scopes ??= [
      ...new Set([...this.operations.list(), ...this.channels.list()].map((d) => requiredScopeOf(d))),
    ].sort();
    return this.scopes;
  }
}
