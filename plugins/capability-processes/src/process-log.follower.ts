import { UnavailableError, type OperationEvent, type SandboxOperationContext } from '@sandboxed/plugin-sdk';
import { LogOutputParser } from './log-output.parser.js';
import { NO_SUCH_PROCESS, readLogArgv } from './process-log-reader.script.js';
import type { SandboxProcesses } from './sandbox-processes.client.js';

/**
 * Streams a process's log from `cursor`: the history first, then lines as they are written, then
 * one `exit` event once the process has ended and every line was sent. Each `output` event
 * carries its `line` number and the `cursor` to resume after it. One exec inside the sandbox
 * follows the files, so nothing is buffered in the gateway beyond what the caller has not read.
 */
export async function* followProcessLogs(
  ctx: SandboxOperationContext,
  processes: SandboxProcesses,
  id: string,
  cursor: number,
): AsyncGenerator<OperationEvent> {
  const session = await ctx.runtime.exec(ctx.sandbox.id, {
    argv: readLogArgv(processes.roots, id, cursor, 0, true),
    env: { LC_ALL: 'C' },
  });
  const onAbort = (): void => void session.kill().catch(() => undefined);
  ctx.signal.addEventListener('abort', onAbort, { once: true });
  // Aborted while the reader was starting: no abort event comes any more.
  if (ctx.signal.aborted) onAbort();
  // Stdin stays open: the reader in the sandbox stops when it closes, e.g. if this gateway dies.
  session.stdin.on('error', () => undefined);
  session.stderr.resume();
  const parser = new LogOutputParser(cursor);
  let ended = false;
  try {
    for await (const chunk of session.stdout as AsyncIterable<Buffer>) {
      for (const item of parser.push(chunk)) {
        if (item.kind === 'line') {
          yield { type: 'output', stream: item.stream, data: `${item.text}\n`, line: item.line, cursor: item.line + 1 };
        } else if (item.kind === 'gap') {
          yield { type: 'dropped', lines: item.dropped, cursor: item.at };
        } else if (item.kind === 'end') {
          ended = true;
        }
      }
    }
    const exit = await session.wait();
    if (ended) {
      const info = await processes.get(id);
      yield {
        type: 'exit',
        exitCode: info.exitCode,
        timedOut: false,
        status: info.status,
        signal: info.signal,
        cursor: parser.cursor,
      };
      return;
    }
    if (ctx.signal.aborted) return;
    if (exit.exitCode === NO_SUCH_PROCESS) throw processes.notFound(id);
    throw new UnavailableError(`The log reader stopped (exit ${exit.exitCode ?? exit.signal})`);
  } finally {
    ctx.signal.removeEventListener('abort', onAbort);
    session.stdin.destroy();
    if (!ended) await session.kill().catch(() => undefined);
  }
}
