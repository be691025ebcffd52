import { waitFor } from '@sandboxed/testing';
import { PassThrough, Readable } from 'node:stream';
import { describe, expect, it } from '@jest/globals';
import { demuxDockerStream } from './docker-stream.demuxer.js';

function frame(type: 1 | 2, payload: string | Buffer): Buffer {
  const data = Buffer.from(payload);
  const header = Buffer.alloc(8);
  header[0] = type;
  header.writeUInt32BE(data.length, 4);
  return Buffer.concat([header, data]);
}

async function read(stream: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString();
}

describe('demuxDockerStream', () => {
  it('splits frames, also when they arrive cut at any byte', async () => {
    const all = Buffer.concat([frame(1, 'out-1 '), frame(2, 'err-1'), frame(1, 'out-2'), frame(1, '')]);
    const source = new PassThrough();
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    demuxDockerStream(source, stdout, stderr);
    const result = Promise.all([read(stdout), read(stderr)]);
    for (let i = 0; i < all.length; i += 3) source.write(all.subarray(i, i + 3));
    source.end();
    expect(await result).toEqual(['out-1 out-2', 'err-1']);
  });

  it('pauses the source while a reader is behind', async () => {
    const big = Buffer.alloc(64 * 1024, 'x');
    const source = Readable.from(
      (function* () {
        for (let i = 0; i < 64; i++) yield frame(1, big);
      })(),
    );
    const stdout = new PassThrough({ highWaterMark: 16 * 1024 });
    const stderr = new PassThrough();
    demuxDockerStream(source, stdout, stderr);
    // Wait until the demuxer has filled stdout's buffer; nobody reads it, so it must stop there
    // (a few frames at most), not buffer all 4 MiB.
    await waitFor(() => stdout.readableLength >= 16 * 1024, { what: 'stdout to fill' });
    await new Promise<void>((r) => setImmediate(r));
    expect(stdout.readableLength).toBeLessThan(512 * 1024);
    stderr.resume();
    expect((await read(stdout)).length).toBe(64 * big.length);
  });
});
