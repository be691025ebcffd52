import type { SandboxOperationContext } from '@sandboxed/plugin-sdk';
import { followProcessLogs } from './process-log.follower.js';
import type { LogLine } from './process-logs.dto.js';
import type { ProcessWaitResult } from './process-wait.dto.js';
import type { SandboxProcesses } from './sandbox-processes.client.js';

/**
 * Follows a process's log from `cursor` until it ends, `timeoutMs` passes or `limit` lines came,
 * whichever is first, and returns those lines with the process's state: a caller continues from
 * the returned cursor, so a long command can be waited on in bounded calls.
 */
export async function waitForProcess(
  ctx: SandboxOperationContext,
  processes: SandboxProcesses,
  id: string,
  { cursor, limit, timeoutMs }: { cursor: number; limit: number; timeoutMs: number },
): Promise<ProcessWaitResult> {
  if (timeoutMs === 0) {
    const page = await processes.readLogs(id, cursor, limit);
    return { process: await processes.get(id), ...page };
  }
  const stop = new AbortController();
  const timer = setTimeout(() => stop.abort(), timeoutMs);
  const signal = AbortSignal.any([ctx.signal, stop.signal]);
  const lines: LogLine[] = [];
  let next = cursor;
  let dropped = 0;
  let done = false;
  try {
    for await (const event of followProcessLogs({ ...ctx, signal }, processes, id, cursor)) {
      const e = event as Record<string, unknown>;
      if (e.type === 'output') {
        lines.push({
          line: e.line as number,
          stream: e.stream as LogLine['stream'],
          text: (e.data as string).slice(0, -1),
        });
      } else if (e.type === 'dropped') {
        dropped += e.lines as number;
      } else if (e.type === 'exit') {
        done = true;
      }
      if (typeof e.cursor === 'number') next = e.cursor;
      if (done || lines.length >= limit || signal.aborted) break;
    }
  } finally {
    clearTimeout(timer);
  }
  ctx.signal.throwIfAborted();
  return { process: await processes.get(id), lines, cursor: next, dropped, done };
}
