import { Logger } from '@nestjs/common';
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import type { RequestHandlerExtra } from '@modelcontextprotocol/sdk/shared/protocol.js';
import {
  CallToolRequestSchema,
  ListToolsRequestSchema,
  McpError,
  type CallToolRequest,
  type LoggingLevel,
  type ServerNotification,
  type ServerRequest,
} from '@modelcontextprotocol/sdk/types.js';
import { SandboxedError, toSandboxedError, type GatewayInfo, type Principal } from '@sandboxed/plugin-sdk';
import { ErrorCode } from './json-rpc.error-codes.js';
import type { ToolEventSink } from './mcp.tool.js';
import { RunningToolCalls } from './running-tool-calls.js';
import type { ToolSet } from './tool.set.js';
import { protocolError } from './protocol.error.js';
import { invalidArguments } from './tool-arguments.validator.js';
import { toolError } from './tool-result.js';

export type HandlerExtra = RequestHandlerExtra<ServerRequest, ServerNotification>;

/** Who the current request acts as: the HTTP request's principal, or the stdio principal. */
export type PrincipalSource = (extra: HandlerExtra) => Principal;

// Only the method is checked on the way in, so that bad params reach the handlers and get
// -32602 (the SDK's strict parse would answer -32603 Internal error).
const LooseListTools = ListToolsRequestSchema.pick({ method: true }).loose();
const LooseCallTool = CallToolRequestSchema.pick({ method: true }).loose();

const INSTRUCTIONS =
  'Sandboxes are isolated machines for running code. Create one with create_sandbox, run programs with run_code or ' +
  'shell_exec, read and write files with the files_* tools, and destroy it with destroy_sandbox when done. ' +
  'execute_python runs a snippet in a throwaway sandbox.';

function requireInitialized(server: Server): void {
  if (!server.getClientVersion())
    throw protocolError(ErrorCode.InvalidRequest, 'Server not initialized: send initialize first');
}

function eventSink(server: Server, extra: HandlerExtra): ToolEventSink {
  const token = extra._meta?.progressToken;
  // The SDK keeps the level a client set with logging/setLevel per session, behind this method.
  const ignored = (level: LoggingLevel): boolean =>
    (server as unknown as { isMessageIgnored?: (l: LoggingLevel, s?: string) => boolean }).isMessageIgnored?.(
      level,
      extra.sessionId,
    ) ?? false;
  const send = async (notification: ServerNotification): Promise<void> => {
    // A client that went away must not fail the operation.
    await extra.sendNotification(notification).catch(() => undefined);
  };
  let progress = 0;
  return {
    async progress(message) {
      if (token === undefined) return;
      progress += 1;
      await send({ method: 'notifications/progress', params: { progressToken: token, progress, message } });
    },
    async log(level, logger, data) {
      if (!ignored(level)) await send({ method: 'notifications/message', params: { level, logger, data } });
    },
  };
}

/** Makes the low-level MCP `Server` of one connection: tools/list and tools/call over a profile's tool set. */
export class McpServerFactory {
  private readonly logger = new Logger('McpTransport');

  constructor(private readonly info: GatewayInfo) {}

  /** `calls` tracks the tool calls this server runs, so that whoever owns the session can end them. */
  create(tools: ToolSet, principalOf: PrincipalSource, calls = new RunningToolCalls()): Server {
    const server = new Server(
      { name: 'sandboxed', version: this.info.version },
      { capabilities: { tools: {}, logging: {} }, instructions: INSTRUCTIONS },
    );
    server.onerror = (err) => this.logger.debug(`MCP connection error: ${err.message}`);

    server.setRequestHandler(LooseListTools, async (request) => {
      requireInitialized(server);
      const parsed = ListToolsRequestSchema.safeParse(request);
      if (!parsed.success)
        throw protocolError(ErrorCode.InvalidParams, `Invalid tools/list request: ${parsed.error.message}`);
      return { tools: tools.definitions() };
    });

    // The SDK checks the tools/call request shape before this runs and answers -32602 when it is wrong.
    server.setRequestHandler(LooseCallTool, async (request, extra) => {
      requireInitialized(server);
      const { name, arguments: args = {} } = (request as CallToolRequest).params;
      const tool = tools.get(name);
      if (!tool) throw protocolError(ErrorCode.InvalidParams, `Unknown tool: ${name}`);
      // Input validation errors are tool execution errors (MCP 2025-11-25), so the model sees what to fix.
      const problems = tools.problemsWith(tool, args);
      if (problems) return toolError(invalidArguments(name, problems).toJSON());
      try {
        const principal = principalOf(extra);
        // A call ends when the credentials of its request expire, even if the session lives on.
        return await calls.run(principal, extra.signal, (signal) =>
          tool.call(args, { principal, signal, events: eventSink(server, extra) }),
        );
      } catch (err) {
        if (err instanceof McpError) throw err;
        if (!(err instanceof SandboxedError))
          this.logger.error(`Tool ${name} failed: ${(err as Error)?.stack ?? String(err)}`);
        return toolError(toSandboxedError(err).toJSON());
      }
    });
    return server;
  }
}
