import type { CallToolResult, LoggingLevel, Tool } from '@modelcontextprotocol/server';
import type { Principal } from '@sandboxed/plugin-sdk';
import type { CommandTask } from './command-task.js';

/** Where a running tool reports what happens while it runs (MCP progress and logging notifications). */
export interface ToolEventSink {
  /** A progress notification, sent only when the caller asked for progress (a progressToken). */
  progress(message: string): Promise<void>;
  /** A logging notification, dropped when below the level the client set. */
  log(level: LoggingLevel, logger: string, data: unknown): Promise<void>;
}

export interface ToolCallContext {
  principal: Principal;
  /** Aborted when the client cancels the call or the session closes. */
  signal: AbortSignal;
  events: ToolEventSink;
}

/** One MCP tool: its advertised definition and how to run it. */
export interface McpTool {
  definition: Tool;
  /** The operation ids it calls; a profile shows the tool only when it shows all of them. */
  operations: string[];
  /** Set for a tool generated from one operation (not for aliases). */
  opId?: string;
  /**
   * Shown only by a profile whose `include` names it (the agent tools: `read`, `bash`, ... would otherwise
   * join every profile that shows `files.*` or `shell.*`).
   */
  namedOnly?: boolean;
  call(args: Record<string, unknown>, ctx: ToolCallContext): Promise<CallToolResult>;
  /** Set for a tool that can run as an MCP task (command-task.ts). */
  task?: CommandTask;
}
