import type { Readable, Writable } from 'node:stream';

const HEADER = 8;

/**
 * Splits Docker's multiplexed attach stream (8-byte header: type, 3 zero bytes, uint32 BE
 * length) into stdout and stderr. Unlike `modem.demuxStream` it honours backpressure: while
 * either target is full, the source is paused, so a slow reader never makes the gateway
 * buffer a command's whole output. Both targets end when the source ends or closes.
 */
export function demuxDockerStream(source: Readable, stdout: Writable, stderr: Writable): void {
  let pending: Buffer = Buffer.alloc(0);
  const blocked = new Set<Writable>();
  let finished = false;

  const unblock = (target: Writable) => (): void => {
    blocked.delete(target);
    if (blocked.size === 0) source.resume();
  };

  source.on('data', (chunk: Buffer) => {
    pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
    let offset = 0;
    while (pending.length - offset >= HEADER) {
      const size = pending.readUInt32BE(offset + 4);
      if (pending.length - offset - HEADER < size) break;
      const target = pending[offset] === 2 ? stderr : stdout;
      const payload = pending.subarray(offset + HEADER, offset + HEADER + size);
      offset += HEADER + size;
      if (!target.write(payload) && !blocked.has(target)) {
        blocked.add(target);
        target.once('drain', unblock(target));
      }
    }
    pending = offset === pending.length ? Buffer.alloc(0) : pending.subarray(offset);
    if (blocked.size > 0) source.pause();
  });

  const finish = (): void => {
    if (finished) return;
    finished = true;
    stdout.end();
    stderr.end();
  };
  source.once('end', finish);
  source.once('close', finish);
  source.once('error', finish);
}
