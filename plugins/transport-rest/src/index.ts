export { plugin, plugin as default } from './rest-transport.plugin.js';
export { RestTransportModule } from './rest-transport.module.js';
export { buildOpenApi } from './openapi.builder.js';
export { routeFor } from './route.table.js';
export type { RestRoute } from './route.table.js';
