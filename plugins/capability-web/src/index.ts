export { plugin, plugin as default } from './web.plugin.js';
export { WebCapabilityModule } from './web-capability.module.js';
export { WebFetchInput, WebFetchOutput, WebSearchInput, WebSearchOutput, WebSearchResult } from './web.dto.js';
export { WebOptionsDto } from './web-options.dto.js';
export type { SearchOptions } from './web-options.dto.js';
export { classifyAddress } from './address.classifier.js';
export type { AddressClass } from './address.classifier.js';
export type { SearchProvider, SearchHit } from './search.provider.js';
