import type { FastifyInstance } from 'fastify';
import { ROUTE_ACCESS, ROUTE_DOC, type RouteAccess, type RouteDoc } from '@sandboxed/plugin-sdk';

/** A hand-mounted route that carries a RouteDoc. */
export interface DocumentedRoute {
  method: string;
  /** OpenAPI form: `/v1/ws/ticket`, `{param}`s for `:param`s. */
  path: string;
  access: RouteAccess;
  doc: RouteDoc;
}

/** Collects, from now on, every route mounted with a `routeDoc(...)` config (see RouteDoc). */
export function collectDocumentedRoutes(fastify: FastifyInstance): DocumentedRoute[] {
  const found: DocumentedRoute[] = [];
  fastify.addHook('onRoute', (route) => {
    const config = route.config as Record<string, unknown> | undefined;
    const doc = config?.[ROUTE_DOC] as RouteDoc | undefined;
    if (!doc) return;
    const methods = (Array.isArray(route.method) ? route.method : [route.method]).filter((m) => m !== 'HEAD');
    for (const method of methods) {
      found.push({
        method,
        path: route.url.replace(/:([A-Za-z][A-Za-z0-9]*)/g, '{$1}'),
        access: (config?.[ROUTE_ACCESS] as RouteAccess | undefined) ?? 'authenticated',
        doc,
      });
    }
  });
  return found;
}
