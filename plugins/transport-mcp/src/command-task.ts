import type { CallToolResult } from '@modelcontextprotocol/server';
import type { ExecResult } from '@sandboxed/plugin-sdk';
import { callOp, type AliasDeps } from './alias.deps.js';
import { endedProcessResult } from './bounded-exec.runner.js';
import type { ToolCallContext } from './mcp.tool.js';

/** A command started for a task: the background process that holds the task's state, in its sandbox. */
export interface StartedCommand {
  sandboxId: string;
  processId: string;
  startedAt: string | null;
}

/** The result of an ended command, as its tool's synchronous call would have answered. */
export type EndedCommand = ExecResult & { processId: string };

/** A task's process as process.get reports it. */
export interface CommandProcess {
  status: 'running' | 'exited' | 'killed';
  timedOut: boolean;
  startedAt: string | null;
  endedAt: string | null;
}

/**
 * How a command tool (`shell_exec`, `bash`) runs as an MCP task (mcp-tasks.ts): its command as a background
 * process, whose status, output and exit code are the task's. Nothing about the task is kept in the gateway.
 */
export interface CommandTask {
  /**
   * Starts the command of these arguments as a background process, or answers undefined when the call runs as
   * usual instead. `requested`: the client asked for a task (2025-11-25 `task` param), so any command runs as
   * one; otherwise the server decides (2026-07-28): only a command that may outlast the call's bound does.
   */
  start(args: Record<string, unknown>, ctx: ToolCallContext, requested: boolean): Promise<StartedCommand | undefined>;
  /** The tool result of the ended command. */
  result(ended: EndedCommand): CallToolResult;
  /** The process as it is now; the invoker answers not_found for a sandbox of another principal. */
  inspect(ctx: ToolCallContext, sandboxId: string, processId: string): Promise<CommandProcess>;
  /** Its whole output once it has ended (waiting up to `waitMs`), else undefined. */
  ended(ctx: ToolCallContext, sandboxId: string, processId: string, waitMs: number): Promise<EndedCommand | undefined>;
  /** Kills it (its whole process group) and answers the process as it is then. */
  kill(ctx: ToolCallContext, sandboxId: string, processId: string): Promise<CommandProcess>;
}

/** A CommandTask over capability-processes: `start` and `result` are the tool's own. */
export function processCommandTask(deps: AliasDeps, own: Pick<CommandTask, 'start' | 'result'>): CommandTask {
  return {
    ...own,
    inspect: (ctx, sandboxId, processId) => callOp<CommandProcess>(deps, ctx, 'process.get', { processId }, sandboxId),
    ended: (ctx, sandboxId, processId, waitMs) =>
      endedProcessResult(deps, ctx, sandboxId, processId, deps.execBounds.maxOutputBytes, waitMs),
    kill: (ctx, sandboxId, processId) => callOp<CommandProcess>(deps, ctx, 'process.kill', { processId }, sandboxId),
  };
}
