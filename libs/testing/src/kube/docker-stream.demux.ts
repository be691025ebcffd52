import type { Readable } from 'node:stream';

/**
 * Docker's multiplexed attach stream (8-byte header: stream type, 3 zero bytes, uint32 BE
 * length) as an async sequence of `{ stream: 1 | 2, data }`, read with backpressure.
 */
export async function* demuxDocker(source: Readable): AsyncGenerator<{ stream: 1 | 2; data: Buffer }> {
  let pending: Buffer = Buffer.alloc(0);
  for await (const chunk of source as AsyncIterable<Buffer>) {
    pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
    let offset = 0;
    while (pending.length - offset >= 8) {
      const size = pending.readUInt32BE(offset + 4);
      if (pending.length - offset - 8 < size) break;
      const data = pending.subarray(offset + 8, offset + 8 + size);
      const stream = pending[offset] === 2 ? 2 : 1;
      offset += 8 + size;
      if (data.length > 0) yield { stream, data: Buffer.from(data) };
    }
    pending = pending.subarray(offset);
  }
}
