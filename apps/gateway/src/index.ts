export { GATEWAY_VERSION } from './version.js';
export { runGateway } from './gateway.command.js';
export { runMcpStdio } from './mcp-stdio.command.js';
export { exitOnBootFailure } from './boot-failure.js';
