import type { ServerResponse } from 'node:http';
import type { OperationEvent } from '@sandboxed/plugin-sdk';

const HEARTBEAT_MS = 15_000;

/** Writes operation events as Server-Sent Events, honoring backpressure. */
export async function writeSse(res: ServerResponse, events: AsyncIterable<OperationEvent>): Promise<void> {
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache, no-transform',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
  });
  res.flushHeaders();
  const heartbeat = setInterval(() => res.write(': ping\n\n'), HEARTBEAT_MS);
  try {
    for await (const event of events) {
      if (res.destroyed) break;
      const { type, ...data } = event;
      const ok = res.write(`event: ${type}\ndata: ${JSON.stringify(data)}\n\n`);
      if (!ok) await new Promise((resolve) => (res.once('drain', resolve), res.once('close', resolve)));
    }
  } finally {
    clearInterval(heartbeat);
    res.end();
  }
}
