export { runtimeConformanceSuite } from './runtime-conformance.suite.js';
export type { RuntimeConformanceHarness } from './runtime-conformance.suite.js';
export { startTestGateway } from './test-gateway.js';
export type { TestGateway, TestGatewayOptions } from './test-gateway.js';
export { HttpClient } from './http.client.js';
export type { HttpResult } from './http.client.js';
export { readSse } from './sse.reader.js';
export type { SseEvent } from './sse.reader.js';
export { waitFor } from './wait-for.js';
