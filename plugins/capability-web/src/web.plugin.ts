import { definePlugin } from '@sandboxed/plugin-sdk';
import { WebCapabilityModule } from './web-capability.module.js';
import { resolveWebOptions, WebOptionsDto, WebSettings } from './web-options.dto.js';
import { WebOperations } from './web.operations.js';

export const plugin = definePlugin<WebOptionsDto>({
  id: 'capability-web',
  kind: 'capability',
  version: '0.1.0',
  engine: '^1',
  description: 'web.fetch (SSRF-safe, run by the gateway) and web.search (a configured provider)',
  options: WebOptionsDto,
  module: (options) => ({
    module: WebCapabilityModule,
    providers: [{ provide: WebSettings, useValue: resolveWebOptions(options) }, WebOperations],
  }),
});
