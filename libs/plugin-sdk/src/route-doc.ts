import type { Class } from './operation.types.js';

/**
 * OpenAPI documentation for an HTTP route a plugin mounts by hand (operations are documented from
 * the registry). The REST transport reads it from the Fastify route config and adds the route to
 * `/openapi.json`, with the standard error responses and the security of its RouteAccess:
 * `fastify.post('/v1/x', { config: routeDoc({ ... }) }, handler)`. Mount such routes in
 * `onApplicationBootstrap` (or later, before the server listens).
 */
export interface RouteDoc {
  operationId: string;
  summary: string;
  description?: string;
  /** The tag it is listed under in the docs, e.g. `ws`. */
  tag: string;
  /** Status on success. */
  status: number;
  /** DTO class of the JSON response body; none for an empty answer. */
  output?: Class;
  /** DTO class of the JSON request body; none for a route that takes no body. */
  input?: Class;
  /** Whether the body must be sent (default false: an empty body is an empty object). */
  inputRequired?: boolean;
}

/** The Fastify route config key holding a route's RouteDoc. */
export const ROUTE_DOC = 'sandboxedDoc';

export function routeDoc(doc: RouteDoc): { [ROUTE_DOC]: RouteDoc } {
  return { [ROUTE_DOC]: doc };
}
