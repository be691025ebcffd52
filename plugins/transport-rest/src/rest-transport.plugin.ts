import { definePlugin } from '@sandboxed/plugin-sdk';
import { RestTransportModule } from './rest-transport.module.js';

/** REST + OpenAPI + Swagger UI, generated from the operation registry. */
export const plugin = definePlugin({
  id: 'transport-rest',
  kind: 'transport',
  version: '0.1.0',
  engine: '^1',
  description: 'REST routes, OpenAPI document and Swagger UI for every operation',
  module: () => ({ module: RestTransportModule }),
});
