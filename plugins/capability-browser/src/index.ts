export { plugin, plugin as default, BrowserCapabilityModule } from './browser.plugin.js';
export { BrowserOptionsDto } from './browser-options.dto.js';
export { buildAxSnapshot } from './ax-snapshot.builder.js';
export type { AxNode, AxSnapshot } from './ax-snapshot.builder.js';
