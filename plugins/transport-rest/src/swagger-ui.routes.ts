import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import { ROUTE_ACCESS } from '@sandboxed/plugin-sdk';

const require = createRequire(import.meta.url);

const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8" />
<title>sandboxed API</title>
<link rel="stylesheet" href="/docs/assets/swagger-ui.css" />
</head>
<body>
<div id="swagger-ui"></div>
<script src="/docs/assets/swagger-ui-bundle.js"></script>
<script src="/docs/init.js"></script>
</body>
</html>`;

// A separate script (not inline) so a strict Content-Security-Policy can stay on.
const INIT = `window.ui = SwaggerUIBundle({ url: '/openapi.json', dom_id: '#swagger-ui', deepLinking: true, persistAuthorization: true });`;

/** Swagger UI at `/docs` (and `/docs/`), served from the swagger-ui-dist package (no CDN, works offline); public. */
export function registerSwaggerUi(fastify: FastifyInstance): void {
  const root = dirname(require.resolve('swagger-ui-dist/package.json'));
  void fastify.register(async (docs) => {
    docs.addHook('onRoute', (route) => {
      route.config = { ...(route.config as object), [ROUTE_ACCESS]: 'public' } as typeof route.config;
    });
    await docs.register(fastifyStatic, { root, prefix: '/docs/assets/', decorateReply: false, index: false });
    // The page links its assets by absolute path, so it works at both addresses.
    for (const url of ['/docs', '/docs/'])
      docs.get(url, (_req, reply) => reply.type('text/html; charset=utf-8').send(PAGE));
    docs.get('/docs/init.js', (_req, reply) => reply.type('text/javascript').send(INIT));
  });
}
