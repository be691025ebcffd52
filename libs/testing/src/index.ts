export { runtimeConformanceSuite } from './runtime-conformance.suite.js';
export type { RuntimeConformanceHarness } from './runtime-conformance.suite.js';
export { startTestGateway } from './test-gateway.js';
export type { TestGateway, TestGatewayOptions } from './test-gateway.js';
