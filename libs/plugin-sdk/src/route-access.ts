/**
 * Who may call an HTTP route, read by the kernel's request admission from the Fastify route config:
 * `fastify.get('/x', { config: routeAccess('public') }, handler)`.
 * - `authenticated` (the default, also for routes that say nothing): Host and Origin are checked and
 *   the caller is authenticated on the headers, before any body is read; the handler gets the principal
 *   from `RequestAdmission.principalOf(req.raw)`.
 * - `public`: Host and Origin are checked, no credentials needed (health, API docs).
 * - `self`: the route does both itself, with `RequestAdmission`, to answer in its own protocol (MCP).
 */
export type RouteAccess = 'authenticated' | 'public' | 'self';

/** The Fastify route config key holding a route's RouteAccess. */
export const ROUTE_ACCESS = 'sandboxedAccess';

export function routeAccess(access: RouteAccess): { [ROUTE_ACCESS]: RouteAccess } {
  return { [ROUTE_ACCESS]: access };
}
