import type { Readable, Writable } from 'node:stream';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { GATEWAY_INFO, type GatewayInfo, type Principal } from '@sandboxed/plugin-sdk';
import { MCP_OPTIONS } from './mcp.tokens.js';
import type { ResolvedMcpOptions } from './mcp-options.dto.js';
import { withoutBatchLines } from './stdio-batch.filter.js';
import { batchNotSupported, parseError, replyToUnreadableLine } from './stdio-line.errors.js';
import { McpToolCatalog } from './tool.catalog.js';

export interface StdioServeOptions {
  /** Tool profile; default `options.stdioProfile`. */
  profile?: string;
  input?: Readable;
  /** Must carry nothing but JSON-RPC: log elsewhere. */
  output?: Writable;
}

export interface StdioSession {
  /** Resolves when the client closes stdin or the server is closed. */
  closed: Promise<void>;
  close(): Promise<void>;
}

/** MCP over stdin/stdout, acting as the configured stdio principal (with every scope). */
@Injectable()
export class McpStdioServer {
  private readonly logger = new Logger('McpTransport');

  constructor(
    private readonly catalog: McpToolCatalog,
    @Inject(MCP_OPTIONS) private readonly options: ResolvedMcpOptions,
    @Inject(GATEWAY_INFO) private readonly info: GatewayInfo,
  ) {}

  async serve(opts: StdioServeOptions = {}): Promise<StdioSession> {
    const profile = opts.profile ?? this.options.stdioProfile;
    const tools = this.catalog.toolSet(profile);
    if (!tools)
      throw new Error(
        `No MCP profile named "${profile}" (configured: ${Object.keys(this.options.profiles).join(', ')})`,
      );
    const principal: Principal = { id: this.options.stdioPrincipal, scopes: ['*'] };
    // The SDK is imported here, not at boot (see mcp-http.handlers.ts).
    const [{ McpServerFactory }, { FileResources }, { serveStdio, StdioServerTransport }] = await Promise.all([
      import('./mcp-server.factory.js'),
      import('./file-resources.handler.js'),
      import('@modelcontextprotocol/server/stdio'),
    ]);
    const factory = new McpServerFactory(this.info, new FileResources(this.catalog.invoker));
    const input = opts.input ?? process.stdin;
    const lines = withoutBatchLines(
      input,
      () => void transport.send(batchNotSupported()),
      () => void transport.send(parseError()),
    );
    const transport = new StdioServerTransport(lines, opts.output ?? process.stdout);
    // The SDK's entry pins the connection's era on its first message: initialize (2025) or the _meta envelope (2026-07-28).
    const handle = serveStdio(({ era }) => factory.create(tools, () => principal, undefined, era), {
      transport,
      onerror: (err) => {
        const reply = replyToUnreadableLine(err);
        if (reply) void transport.send(reply);
        else this.logger.debug(`MCP stdio: ${err.message}`);
      },
    });
    // serveStdio owns the transport's onclose; ours runs after it.
    const closed = new Promise<void>((resolve) => {
      const entryOnClose = transport.onclose;
      transport.onclose = () => {
        entryOnClose?.();
        resolve();
      };
    });
    this.logger.log(
      `MCP on stdio as principal "${principal.id}", profile "${profile}" (${tools.definitions().length} tools)`,
    );
    return { closed, close: () => handle.close() };
  }
}
