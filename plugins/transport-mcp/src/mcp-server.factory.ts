import { Logger } from '@nestjs/common';
import {
  fromJsonSchema,
  ProtocolError,
  Server,
  type CallToolRequest,
  type ServerContext,
} from '@modelcontextprotocol/server';
import { SandboxedError, toSandboxedError, type GatewayInfo, type Principal } from '@sandboxed/plugin-sdk';
import type { FileResources } from './file-resources.handler.js';
import { ErrorCode } from './json-rpc.error-codes.js';
import { McpTasks } from './mcp-tasks.js';
import { asTaskResult, isTaskResult, TaskAwareServer } from './task-aware.server.js';
import type { ToolEventSink } from './mcp.tool.js';
import { serverInstructions } from './server-instructions.js';
import { RunningToolCalls } from './running-tool-calls.js';
import type { ToolSet } from './tool.set.js';
import { protocolError } from './protocol.error.js';
import { invalidArguments } from './tool-arguments.validator.js';
import { toolError } from './tool-result.js';

export type HandlerExtra = ServerContext;

/** The protocol era one server instance serves: `legacy` is 2024-10-07 … 2025-11-25 (initialize), `modern` 2026-07-28. */
export type McpEra = 'legacy' | 'modern';

/** Who the current request acts as: the HTTP request's principal, or the stdio principal. */
export type PrincipalSource = (extra: HandlerExtra) => Principal;

/**
 * How long a client may reuse a `tools/list` or `server/discover` result (2026-07-28 `ttlMs`). Both are the same
 * for every caller of an endpoint and change only with the gateway's plugins, so shared caches may keep them.
 */
const LIST_TTL_MS = 300_000;

/**
 * The SDK parses a spec method's params before the handler and answers a mismatch with -32603 Internal error;
 * with params schemas of its own, a bad `cursor` is -32602 Invalid params, as JSON-RPC has it.
 */
const LIST_PARAMS = fromJsonSchema<{ cursor?: string }>({
  type: 'object',
  properties: { cursor: { type: 'string' }, _meta: { type: 'object' } },
});

/** A 2025-era instance answers nothing but initialize and ping before the handshake; 2026-07-28 has none. */
function requireInitialized(server: Server, era: McpEra): void {
  if (era === 'legacy' && !server.getClientVersion())
    throw protocolError(ErrorCode.InvalidRequest, 'Server not initialized: send initialize first');
}

function eventSink(ctx: HandlerExtra): ToolEventSink {
  const token = ctx.mcpReq._meta?.progressToken;
  let progress = 0;
  return {
    async progress(message) {
      if (token === undefined) return;
      progress += 1;
      // A client that went away must not fail the operation.
      await ctx.mcpReq
        .notify({ method: 'notifications/progress', params: { progressToken: token, progress, message } })
        .catch(() => undefined);
    },
    async log(level, logger, data) {
      // The SDK filters by the level the client chose: logging/setLevel (2025) or the request's logLevel (2026).
      await ctx.mcpReq.log(level, data, logger).catch(() => undefined);
    },
  };
}

/** Makes the low-level MCP `Server` (SDK v2) of one connection or request: tools/list and tools/call over a profile's tool set. */
export class McpServerFactory {
  private readonly logger = new Logger('McpTransport');

  /** `files`: sandbox files as resources (file-resources.handler.ts), where files.read is registered. */
  constructor(
    private readonly info: GatewayInfo,
    private readonly files?: FileResources,
  ) {}

  /** `calls` tracks the tool calls this server runs, so that whoever owns the session can end them. */
  create(tools: ToolSet, principalOf: PrincipalSource, calls = new RunningToolCalls(), era: McpEra = 'legacy'): Server {
    const files = this.files?.servesOn(tools) ? this.files : undefined;
    const tasks = new McpTasks(tools, era, principalOf);
    const server = new TaskAwareServer(
      { name: 'sandboxed', version: this.info.version },
      {
        capabilities: { tools: {}, logging: {}, ...(files && { resources: {} }), ...tasks.capabilities() },
        instructions: serverInstructions(tools),
        cacheHints: {
          'tools/list': { ttlMs: LIST_TTL_MS, cacheScope: 'public' },
          'server/discover': { ttlMs: LIST_TTL_MS, cacheScope: 'public' },
          ...files?.cacheHints,
        },
      },
    );
    server.onerror = (err) => this.logger.debug(`MCP connection error: ${err.message}`);
    files?.register(server, tools, { principalOf, requireReady: () => requireInitialized(server, era) });
    tasks.install(server);

    server.setRequestHandler('tools/list', { params: LIST_PARAMS }, async () => {
      requireInitialized(server, era);
      return { tools: tools.definitions() };
    });

    server.setRequestHandler('tools/call', async (request, ctx) => {
      requireInitialized(server, era);
      const { name, arguments: args = {} } = (request as CallToolRequest).params;
      const tool = tools.get(name);
      if (!tool) throw protocolError(ErrorCode.InvalidParams, `Unknown tool: ${name}`);
      // Input validation errors are tool execution errors (MCP 2025-11-25), so the model sees what to fix.
      const problems = tools.problemsWith(tool, args);
      if (problems) return toolError(invalidArguments(name, problems).toJSON());
      try {
        const principal = principalOf(ctx);
        // A call ends when the credentials of its request expire, even if the session lives on.
        return await calls.run(principal, ctx.mcpReq.signal, async (signal) => {
          const toolCtx = { principal, signal, events: eventSink(ctx) };
          // A command tool may run as an MCP task instead (mcp-tasks.ts): the result is then the task.
          const task = await tasks.start(tool, request as CallToolRequest, ctx, toolCtx);
          return task ? asTaskResult(task) : tool.call(args, toolCtx);
        });
      } catch (err) {
        if (err instanceof ProtocolError || isTaskResult(err)) throw err;
        if (!(err instanceof SandboxedError))
          this.logger.error(`Tool ${name} failed: ${(err as Error)?.stack ?? String(err)}`);
        return toolError(toSandboxedError(err).toJSON());
      }
    });
    return server;
  }
}
