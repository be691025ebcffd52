import type { ExecResult } from '@sandboxed/plugin-sdk';
import { InvalidArgumentError } from '@sandboxed/plugin-sdk';
import { callOp, type AliasDeps } from './alias.deps.js';
import { canBoundExec, handleNote, outlastsBound, runBounded, startCommandProcess } from './bounded-exec.runner.js';
import { processCommandTask, type EndedCommand } from './command-task.js';
import {
  agentAnnotations,
  agentInputSchema,
  agentResult,
  agentTool,
  opProperty,
  sandboxOf,
} from './agent-tool.support.js';
import type { McpTool } from './mcp.tool.js';

/**
 * Runs `$1` with bash where the sandbox has it (templates without bash fall back to sh); `$0` names it in
 * error messages. The foreground form sends stderr into stdout first, so the output keeps the order the
 * command wrote it in, as an agent's terminal shows it.
 */
const FOREGROUND = 'exec 2>&1; command -v bash >/dev/null && exec bash -c "$1"; exec /bin/sh -c "$1"';
const BACKGROUND = 'command -v bash >/dev/null && exec bash -c "$1"; exec /bin/sh -c "$1"';

interface StartedProcess {
  id: string;
  status: string;
}

/** The result text: the output, then what a terminal would tell (cut, killed, exit code). */
function describeRun(r: ExecResult, timeoutMs: number | undefined): string {
  const notes: string[] = [];
  if (r.truncated) notes.push('[output cut at the gateway’s output limit]');
  if (r.timedOut) {
    notes.push(
      timeoutMs === undefined
        ? '[killed: still running at the gateway’s exec timeout]'
        : `[killed: still running after ${timeoutMs} ms]`,
    );
  } else if (r.exitCode === null) notes.push('[killed by a signal]');
  else if (r.exitCode !== 0) notes.push(`[exit code ${r.exitCode}]`);
  const output = r.stdout.replace(/\n$/, '');
  if (!output && !notes.length) return '(no output)';
  return [output, ...notes].filter(Boolean).join('\n');
}

function foregroundInput(args: Record<string, unknown>): { argv: string[]; timeoutMs?: number } {
  const timeoutMs = args.timeout_ms as number | undefined;
  return {
    argv: ['/bin/sh', '-c', FOREGROUND, 'bash', String(args.command)],
    ...(timeoutMs === undefined ? {} : { timeoutMs }),
  };
}

function foregroundResult(r: EndedCommand | ExecResult, timeoutMs: number | undefined) {
  return agentResult(describeRun(r, timeoutMs), {
    output: r.stdout,
    exit_code: r.exitCode,
    timed_out: r.timedOut,
    truncated: r.truncated,
    ...('processId' in r ? { process_id: r.processId } : {}),
  });
}

/** `bash {command, timeout_ms?, run_in_background?}`: shell.exec, or process.start in the background. */
export function bashTool(deps: AliasDeps): McpTool {
  const background = deps.hasOperation('process.start');
  return agentTool({
    definition: {
      name: 'bash',
      title: 'Run a shell command',
      description:
        'Runs a bash command in the sandbox’s working directory and returns its output (stderr merged into ' +
        'stdout, in order) with the exit code when it is not 0. `timeout_ms` kills it and its children. ' +
        (deps.hasOperation('process.wait')
          ? `A call answers within ${Math.round(deps.execBounds.boundMs / 1000)} s: a command still running then ` +
            'comes back with its process id and a log cursor, keeps running, and process_wait continues from there. '
          : '') +
        (background
          ? 'With `run_in_background` it keeps running after the call and the result is its process id: read ' +
            'its output with process_logs, stop it with process_kill (timeout_ms does not apply).'
          : '`run_in_background` needs capability-processes, which this gateway does not load.'),
      inputSchema: agentInputSchema(
        {
          command: opProperty(deps, 'shell.exec', 'command', 'The command; bash syntax'),
          timeout_ms: opProperty(
            deps,
            'shell.exec',
            'timeoutMs',
            'Kill it after this many ms (default: the gateway’s)',
          ),
          run_in_background: { type: 'boolean', description: 'Start it as a background process and return its id' },
          description: {
            type: 'string',
            maxLength: 128,
            description: 'A few words on what it does (names a background process)',
          },
        },
        ['command'],
      ),
      annotations: agentAnnotations('Run a shell command', 'run'),
      ...(canBoundExec(deps) ? { execution: { taskSupport: 'optional' as const } } : {}),
    },
    operations: background ? ['shell.exec', 'process.start'] : ['shell.exec'],
    async call(args, ctx) {
      const command = String(args.command);
      const sandboxId = sandboxOf(args);
      if (args.run_in_background === true) {
        if (!background) {
          throw new InvalidArgumentError(
            'run_in_background needs capability-processes, which this gateway does not load',
          );
        }
        const name = typeof args.description === 'string' ? args.description : undefined;
        const started = await callOp<StartedProcess>(
          deps,
          ctx,
          'process.start',
          { argv: ['/bin/sh', '-c', BACKGROUND, 'bash', command], ...(name ? { name } : {}) },
          sandboxId,
        );
        return agentResult(
          `Started in the background as process ${started.id}. Read its output with process_logs ` +
            `{process_id: "${started.id}"}; stop it with process_kill.`,
          { process_id: started.id, status: started.status },
        );
      }
      const input = foregroundInput(args);
      const r = await runBounded(deps, ctx, sandboxId, input, deps.execBounds);
      if ('running' in r) {
        return agentResult([r.stdout.replace(/\n$/, ''), handleNote(r, sandboxId)].filter(Boolean).join('\n'), {
          output: r.stdout,
          running: true,
          process_id: r.processId,
          cursor: r.cursor,
        });
      }
      return foregroundResult(r, input.timeoutMs);
    },
    ...(canBoundExec(deps)
      ? {
          task: processCommandTask(deps, {
            async start(args: Record<string, unknown>, ctx: Parameters<McpTool['call']>[1], requested: boolean) {
              if (args.run_in_background === true) return undefined;
              const input = foregroundInput(args);
              if (!requested && !outlastsBound(deps, input, deps.execBounds)) return undefined;
              const sandboxId = sandboxOf(args);
              const timeoutMs = input.timeoutMs ?? deps.execBounds.defaultTimeoutMs;
              const started = await startCommandProcess(deps, ctx, sandboxId, input, timeoutMs);
              return { sandboxId, processId: started.id, startedAt: started.startedAt };
            },
            // The task's own timeout_ms is in its arguments, which the task does not keep.
            result: (ended: EndedCommand) => foregroundResult(ended, undefined),
          }),
        }
      : {}),
  });
}
