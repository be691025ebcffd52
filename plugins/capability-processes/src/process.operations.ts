import {
  sandboxOperation,
  sandboxStreamOperation,
  type Limits,
  type OperationDefinition,
  type SandboxOperationContext,
} from '@sandboxed/plugin-sdk';
import { followProcessLogs } from './process-log.follower.js';
import { LogCursorInput, LogPage, ReadLogsInput } from './process-logs.dto.js';
import { DEFAULT_WAIT_MS, ProcessWaitResult, WaitProcessInput } from './process-wait.dto.js';
import { waitForProcess } from './process.waiter.js';
import type { ProcessesOptions } from './process-options.dto.js';
import {
  KillProcessInput,
  ListProcessesInput,
  ProcessInfo,
  ProcessList,
  ProcessRef,
  ProcessStdinInput,
  StartProcessInput,
} from './process.dto.js';
import { SandboxProcesses } from './sandbox-processes.client.js';

const DEFAULT_LOG_PAGE = 1000;

/** The process.* operations. Each call reads the sandbox; the gateway keeps nothing between calls. */
export function processOperations(options: ProcessesOptions, limits: Limits): OperationDefinition[] {
  const processes = (ctx: SandboxOperationContext): SandboxProcesses => new SandboxProcesses(ctx, options, limits);
  return [
    sandboxOperation({
      id: 'process.start',
      summary: 'Start a background process',
      description:
        'Starts a command that keeps running after this call returns (a dev server, a watcher, a long build). ' +
        'It runs in its own process group, under a supervisor inside the sandbox that records its status and ' +
        'output, so any gateway (after a restart, or another replica) can list it and read its logs. ' +
        'Its standard input stays open for process.stdin. When it exits, what is left of its process group is killed.',
      input: StartProcessInput,
      output: ProcessInfo,
      hints: { readOnly: false, destructive: false, idempotent: false },
      http: { method: 'POST', path: 'processes', status: 201 },
      handler: (ctx, input) => processes(ctx).start(input),
    }),
    sandboxOperation({
      id: 'process.list',
      summary: 'List background processes',
      input: ListProcessesInput,
      output: ProcessList,
      hints: { readOnly: true, idempotent: true },
      http: { method: 'GET', path: 'processes' },
      handler: async (ctx, input) => ({ processes: await processes(ctx).list(input.status) }),
    }),
    sandboxOperation({
      id: 'process.get',
      summary: 'Get a background process',
      description:
        'Status (`running`, `exited`, `killed`), exit code, start and end times, and how many lines it logged.',
      input: ProcessRef,
      output: ProcessInfo,
      hints: { readOnly: true, idempotent: true },
      http: { method: 'GET', path: 'processes/{processId}' },
      handler: (ctx, input) => processes(ctx).get(input.processId),
    }),
    sandboxOperation({
      id: 'process.kill',
      summary: 'Signal a background process',
      description:
        'Sends a signal (default SIGKILL) to the process’s whole process group and waits up to 2 s for it to end. ' +
        'A process that ends this way has status `killed`.',
      input: KillProcessInput,
      output: ProcessInfo,
      hints: { readOnly: false, destructive: true, idempotent: true },
      http: { method: 'POST', path: 'processes/{processId}/kill' },
      handler: (ctx, input) => processes(ctx).kill(input.processId, input.signal ?? 'SIGKILL'),
    }),
    sandboxOperation({
      id: 'process.stdin',
      summary: 'Write to a background process’s standard input',
      description:
        'Writes `data`, and with `eof: true` closes standard input afterwards. 409 when the process has ended.',
      input: ProcessStdinInput,
      hints: { readOnly: false, destructive: false, idempotent: false },
      http: { method: 'POST', path: 'processes/{processId}/stdin' },
      handler: (ctx, input) => processes(ctx).stdin(input.processId, input.data, input.eof === true),
    }),
    sandboxOperation({
      id: 'process.logs',
      summary: 'Read a background process’s output',
      description:
        'Output lines from `cursor` on (stdout and stderr interleaved as written, each line numbered). Pass the ' +
        'returned `cursor` to continue exactly after the last line. At least the last 10,000 lines are kept; ' +
        '`dropped` counts older lines that were trimmed. Lines longer than 4000 bytes are split.',
      input: ReadLogsInput,
      output: LogPage,
      hints: { readOnly: true, idempotent: true },
      http: { method: 'GET', path: 'processes/{processId}/logs' },
      handler: (ctx, input) =>
        processes(ctx).readLogs(input.processId, input.cursor ?? 0, input.limit ?? DEFAULT_LOG_PAGE),
    }),
    sandboxOperation({
      id: 'process.wait',
      summary: 'Wait for a background process, reading its output',
      description:
        'Waits until the process ends, `timeoutMs` passes (default 30 s) or `limit` lines arrive, then returns ' +
        'the output lines from `cursor` on and the process as it is then. While it still runs, `done` is false ' +
        'and `process.status` is `running`: call again with the returned `cursor` to go on exactly where this ' +
        'call stopped, so a command of any length is followed in calls of bounded length.',
      input: WaitProcessInput,
      output: ProcessWaitResult,
      hints: { readOnly: true, idempotent: true },
      http: { method: 'POST', path: 'processes/{processId}/wait' },
      handler: (ctx, input) =>
        waitForProcess(ctx, processes(ctx), input.processId, {
          cursor: input.cursor ?? 0,
          limit: input.limit ?? DEFAULT_LOG_PAGE,
          timeoutMs: input.timeoutMs ?? DEFAULT_WAIT_MS,
        }),
    }),
    sandboxStreamOperation({
      id: 'process.logs.stream',
      summary: 'Follow a background process’s output',
      description:
        'Sends the lines from `cursor` on, then new lines as they are written: `output` events ' +
        '`{stream, data, line, cursor}`; `dropped` `{lines, cursor}` when trimmed lines were skipped; and one ' +
        'final `exit` `{exitCode, signal, status, cursor}` once the process has ended and every line was sent. ' +
        'To resume after a disconnect, pass the last `cursor` you received.',
      input: LogCursorInput,
      hints: { readOnly: true, idempotent: true },
      http: { method: 'GET', path: 'processes/{processId}/logs/stream' },
      events: ['output', 'dropped', 'exit', 'error'],
      handler: (ctx, input) => followProcessLogs(ctx, processes(ctx), input.processId, input.cursor ?? 0),
    }),
  ];
}
