import { StringDecoder } from 'node:string_decoder';
import { Transform, type Readable } from 'node:stream';

/**
 * Stdio carries one JSON-RPC message per line and the SDK's stdio transport never took batches;
 * it only reports a batch line as an unreadable message. This passes every line through except
 * those holding a JSON array, which it hands to `onBatch` so the server can say why it refuses.
 */
export function withoutBatchLines(input: Readable, onBatch: () => void): Readable {
  const decoder = new StringDecoder('utf8');
  let pending = '';
  const isBatch = (line: string): boolean => {
    if (!line.trimStart().startsWith('[')) return false;
    try {
      return Array.isArray(JSON.parse(line));
    } catch {
      return false; // Not JSON at all: the SDK answers it with a parse error.
    }
  };
  const filter = new Transform({
    transform(chunk: Buffer | string, _encoding, done) {
      pending += typeof chunk === 'string' ? chunk : decoder.write(chunk);
      let end: number;
      while ((end = pending.indexOf('\n')) >= 0) {
        const line = pending.slice(0, end + 1);
        pending = pending.slice(end + 1);
        if (isBatch(line)) onBatch();
        else this.push(line);
      }
      done();
    },
    flush(done) {
      pending += decoder.end();
      if (pending && !isBatch(pending)) this.push(pending);
      done();
    },
  });
  return input.pipe(filter);
}
