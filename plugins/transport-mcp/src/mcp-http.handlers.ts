import type { GatewayInfo } from '@sandboxed/plugin-sdk';
import type { McpHttpGuard } from './http-caller.guard.js';
import { FileResources } from './file-resources.handler.js';
import { McpServerFactory } from './mcp-server.factory.js';
import type { McpSessionStore } from './session.store.js';
import { SseHandler } from './sse.handler.js';
import { StreamableHttpHandler } from './streamable-http.handler.js';
import type { McpToolCatalog } from './tool.catalog.js';

export interface McpHttpHandlers {
  streamable: StreamableHttpHandler;
  sse: SseHandler;
  /** Ends what no session owns: 2026-07-28 requests in flight (the session store closes the sessions). */
  close(): Promise<void>;
}

export interface McpHttpHandlerDeps {
  guard: McpHttpGuard;
  store: McpSessionStore;
  catalog: McpToolCatalog;
  info: GatewayInfo;
}

/**
 * The handlers behind `/mcp` and `/sse`, the only code here that needs the MCP SDK at run time. The
 * routes import this module on the first admitted request, so a gateway nobody calls over MCP does not
 * hold the SDK and the zod and ajv it brings (about 10 MB of heap).
 */
export function createMcpHttpHandlers({ guard, store, catalog, info }: McpHttpHandlerDeps): McpHttpHandlers {
  const factory = new McpServerFactory(info, new FileResources(catalog.invoker));
  const streamable = new StreamableHttpHandler(guard, store, catalog, factory);
  return { streamable, sse: new SseHandler(guard, store, catalog, factory), close: () => streamable.close() };
}
