import { StringDecoder } from 'node:string_decoder';
import type { Readable } from 'node:stream';
import type { OperationEvent } from './operation.types.js';
import type { ExecSession } from './runtime.types.js';

export interface ExecEventsOptions {
  signal?: AbortSignal;
  stdin?: Buffer | string;
  /** Total output bytes to forward; beyond it output is dropped and one `truncated` event is sent. */
  maxOutputBytes: number;
}

/**
 * Turns a running session into `output` events as data arrives, then one `exit` event.
 * Aborting the signal (client gone) kills the process tree.
 */
export async function* execEvents(session: ExecSession, opts: ExecEventsOptions): AsyncGenerator<OperationEvent> {
  const queue: OperationEvent[] = [];
  let wake: (() => void) | undefined;
  const push = (e: OperationEvent): void => {
    queue.push(e);
    wake?.();
  };
  let sent = 0;
  let truncatedSent = false;
  const pump = (stream: Readable, name: 'stdout' | 'stderr'): Promise<void> =>
    new Promise((resolve) => {
      const decoder = new StringDecoder('utf8');
      stream.on('data', (chunk: Buffer) => {
        if (sent >= opts.maxOutputBytes) {
          if (!truncatedSent) push({ type: 'truncated', maxOutputBytes: opts.maxOutputBytes });
          truncatedSent = true;
          return;
        }
        const part = chunk.subarray(0, opts.maxOutputBytes - sent);
        sent += part.length;
        const data = decoder.write(part);
        if (data) push({ type: 'output', stream: name, data });
      });
      stream.once('end', () => {
        const rest = decoder.end();
        if (rest) push({ type: 'output', stream: name, data: rest });
        resolve();
      });
      stream.once('error', () => resolve());
    });

  const onAbort = (): void => void session.kill().catch(() => undefined);
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  if (opts.signal?.aborted) onAbort();
  session.stdin.on('error', () => undefined);
  session.stdin.end(opts.stdin ?? undefined);
  let done = false;
  const finished = Promise.all([pump(session.stdout, 'stdout'), pump(session.stderr, 'stderr')])
    .then(() => session.wait())
    .then(
      (exit) => push({ type: 'exit', exitCode: exit.exitCode, timedOut: exit.timedOut }),
      (err: unknown) =>
        push({ type: 'error', error: { code: 'internal', message: err instanceof Error ? err.message : String(err) } }),
    )
    .finally(() => {
      done = true;
      wake?.();
    });
  try {
    while (true) {
      while (queue.length > 0) yield queue.shift()!;
      if (done) break;
      await new Promise<void>((r) => (wake = r));
      wake = undefined;
    }
    await finished;
  } finally {
    opts.signal?.removeEventListener('abort', onAbort);
    if (!done) await session.kill().catch(() => undefined);
  }
}
