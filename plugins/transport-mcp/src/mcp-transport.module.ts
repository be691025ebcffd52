import { Module, type DynamicModule } from '@nestjs/common';
import { McpHttpGuard } from './http-caller.guard.js';
import { McpHttpRoutes } from './mcp-http.routes.js';
import { MCP_OPTIONS } from './mcp.tokens.js';
import { resolveMcpOptions, type McpTransportOptions } from './mcp-options.dto.js';
import { McpSessionStore } from './session.store.js';
import { McpStdioServer } from './stdio.server.js';
import { McpToolCatalog } from './tool.catalog.js';

@Module({})
export class McpTransportModule {
  static register(options: Partial<McpTransportOptions> = {}): DynamicModule {
    return {
      module: McpTransportModule,
      providers: [
        { provide: MCP_OPTIONS, useValue: resolveMcpOptions(options) },
        McpToolCatalog,
        McpHttpGuard,
        McpSessionStore,
        McpHttpRoutes,
        McpStdioServer,
      ],
      exports: [McpStdioServer, McpToolCatalog],
    };
  }
}
