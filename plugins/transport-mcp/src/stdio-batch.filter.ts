import { StringDecoder } from 'node:string_decoder';
import { Transform, type Readable } from 'node:stream';

/**
 * Stdio carries one JSON-RPC message per line and the SDK's stdio transport never took batches;
 * it only reports a batch line as an unreadable message, and skips a line that is not JSON without a
 * word. This passes every line through except those holding a JSON array, which it hands to `onBatch`,
 * and those that are not JSON at all, which go to `onNotJson`, so the server can answer them.
 */
export function withoutBatchLines(input: Readable, onBatch: () => void, onNotJson: () => void): Readable {
  const decoder = new StringDecoder('utf8');
  let pending = '';
  /** Whether the line is passed on: not a batch, and JSON (blank lines carry nothing and are passed on). */
  const keep = (line: string): boolean => {
    if (!line.trim()) return true;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      onNotJson();
      return false;
    }
    if (!Array.isArray(value)) return true;
    onBatch();
    return false;
  };
  const filter = new Transform({
    transform(chunk: Buffer | string, _encoding, done) {
      pending += typeof chunk === 'string' ? chunk : decoder.write(chunk);
      let end: number;
      while ((end = pending.indexOf('\n')) >= 0) {
        const line = pending.slice(0, end + 1);
        pending = pending.slice(end + 1);
        if (keep(line)) this.push(line);
      }
      done();
    },
    flush(done) {
      pending += decoder.end();
      if (pending && keep(pending)) this.push(pending);
      done();
    },
  });
  return input.pipe(filter);
}
