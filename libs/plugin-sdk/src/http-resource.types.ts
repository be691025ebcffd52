/**
 * HTTP endpoints a transport serves under its own paths, declared to the kernel so that browsers
 * from the transport's extra origins may call them cross-origin (CORS), and so that, with OAuth
 * discovery on, each resource gets its RFC 9728 metadata at `/.well-known/oauth-protected-resource<path>`.
 */
export interface HttpResourceDeclaration {
  /** Path prefixes the transport serves; `/mcp` covers `/mcp` and `/mcp/agent`. */
  paths: readonly string[];
  /** Paths that are protected resources of their own (`/mcp`, `/mcp/agent`), each under one of `paths`. */
  resources: readonly string[];
  /** Browser origins allowed on `paths` (and on the metadata) besides `server.allowedOrigins`. */
  allowedOrigins?: readonly string[];
}

/** What a `WWW-Authenticate: Bearer` challenge says (RFC 6750 section 3, RFC 9728 section 5.1). */
export interface BearerChallenge {
  /** The resource refused, by path (`''` for the gateway as a whole, `/mcp`): names its metadata URL. */
  resource: string;
  /** The scopes the request needs. */
  scope?: readonly string[];
  /** `invalid_token` when a token was sent and refused; `insufficient_scope` for a 403. */
  error?: 'invalid_token' | 'insufficient_scope';
}
