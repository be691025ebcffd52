import { StringDecoder } from 'node:string_decoder';
import type { Readable } from 'node:stream';
import type { ExecExit, ExecSession } from './runtime.types.js';

export interface CollectedOutput {
  stdout: Buffer;
  stderr: Buffer;
  /** True when either stream went past `maxOutputBytes` and was cut. */
  truncated: boolean;
  exit: ExecExit;
}

export interface CollectOptions {
  /** Cap per stream; the rest is drained and dropped so the process never blocks on a full pipe. */
  maxOutputBytes: number;
  /** Kills the session when aborted. */
  signal?: AbortSignal;
  stdin?: Buffer | string;
}

async function capped(stream: Readable, max: number): Promise<{ data: Buffer; truncated: boolean }> {
  const chunks: Buffer[] = [];
  let size = 0;
  let truncated = false;
  for await (const chunk of stream) {
    const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string);
    if (size >= max) {
      truncated = true;
      continue;
    }
    const room = max - size;
    if (buf.length > room) truncated = true;
    const part = buf.length > room ? buf.subarray(0, room) : buf;
    chunks.push(part);
    size += part.length;
  }
  return { data: Buffer.concat(chunks), truncated };
}

/** Runs a session to completion and collects its output under a cap. */
export async function collectOutput(session: ExecSession, opts: CollectOptions): Promise<CollectedOutput> {
  const onAbort = (): void => void session.kill().catch(() => undefined);
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  // A caller that left before the session started gets no 'abort' event: act on it now.
  if (opts.signal?.aborted) onAbort();
  try {
    session.stdin.on('error', () => undefined);
    session.stdin.end(opts.stdin ?? undefined);
    const [out, err, exit] = await Promise.all([
      capped(session.stdout, opts.maxOutputBytes),
      capped(session.stderr, opts.maxOutputBytes),
      session.wait(),
    ]);
    return { stdout: out.data, stderr: err.data, truncated: out.truncated || err.truncated, exit };
  } finally {
    opts.signal?.removeEventListener('abort', onAbort);
  }
}

/** Decodes UTF-8 without splitting a character at the cut. */
export function decodeUtf8(buf: Buffer): string {
  return new StringDecoder('utf8').write(buf);
}
