import type { CallToolResult } from '@modelcontextprotocol/server';
import type { JsonSchema } from '@sandboxed/plugin-sdk';
import type { AliasDeps } from './alias.deps.js';
import {
  handleNote,
  outlastsBound,
  runBounded,
  type BoundedCommand,
  type BoundedExecInput,
  type BoundedExecOptions,
} from './bounded-exec.runner.js';
import { processCommandTask } from './command-task.js';
import type { McpTool } from './mcp.tool.js';
import { SANDBOX_ID_ARG } from './operation-tool.factory.js';
import { toolResult } from './tool-result.js';

const HANDLE_PROPERTIES = {
  running: { type: 'boolean', description: 'Present (true) when it still runs: continue with process_wait' },
  process_id: { type: 'string', description: 'Its process id, for process_wait, process_logs and process_kill' },
  cursor: { type: 'integer', description: 'Log cursor after the output returned so far' },
};

/** A result with its process id under the argument name process_wait takes. */
function resultOf(value: { processId?: string } & object): CallToolResult {
  const { processId, ...rest } = value;
  return toolResult(processId === undefined ? rest : { ...rest, process_id: processId });
}

/**
 * `shell_exec` or `code_run` whose call answers within `options.boundMs`: a command that may run longer runs
 * as a background process and comes back as a handle when it does (bounded-exec.runner.ts).
 */
export function boundedCommandTool(
  base: McpTool,
  deps: AliasDeps,
  options: BoundedExecOptions,
  command: BoundedCommand,
): McpTool {
  const outputSchema = base.definition.outputSchema as JsonSchema | undefined;
  const bound = Math.round(options.boundMs / 1000);
  return {
    ...base,
    definition: {
      ...base.definition,
      description:
        `${base.definition.description}\n\nOver MCP a call answers within ${bound} s: one still running then ` +
        'comes back with `running: true`, its `process_id` and a log `cursor` (and the output so far); it keeps ' +
        'running, up to its timeoutMs, and process_wait {process_id, cursor, timeout_ms} continues from there. ' +
        'Cancelling the call kills it. Where the client declares MCP tasks, such a call runs as a task instead ' +
        '(its result is this one; tasks/cancel kills it).',
      ...(outputSchema
        ? {
            outputSchema: {
              ...outputSchema,
              properties: { ...(outputSchema.properties as object), ...HANDLE_PROPERTIES },
              required: ['stdout', 'stderr', 'truncated', 'durationMs'],
            },
          }
        : {}),
      execution: { taskSupport: 'optional' },
    } as McpTool['definition'],
    async call(args, ctx) {
      const { [SANDBOX_ID_ARG]: sandboxId, ...input } = args;
      const result = await runBounded(deps, ctx, String(sandboxId), input as BoundedExecInput, options, command);
      const out = resultOf(result);
      if ('running' in result) out.content.push({ type: 'text', text: handleNote(result, String(sandboxId)) });
      return out;
    },
    task: processCommandTask(deps, {
      async start(args, ctx, requested) {
        const { [SANDBOX_ID_ARG]: id, ...input } = args as BoundedExecInput & Record<string, unknown>;
        if (!requested && !outlastsBound(deps, input, options, command)) return undefined;
        const sandboxId = String(id);
        const timeoutMs = input.timeoutMs ?? options.defaultTimeoutMs;
        const started = await command.start(deps, ctx, sandboxId, input, timeoutMs);
        return { sandboxId, processId: started.id, startedAt: started.startedAt };
      },
      result: (ended) => resultOf(ended),
    }),
  };
}
