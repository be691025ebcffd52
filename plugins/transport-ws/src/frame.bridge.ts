import type { FrameChannel } from '@sandboxed/plugin-sdk';
import { CLOSE } from './close-codes.js';
import type { FrameSender } from './frame.sender.js';
import type { SocketInbox } from './socket.inbox.js';

/** Frames waiting for the channel before the socket stops reading (TCP then slows the client). */
const MAX_PENDING = 32;

function asFrame(data: Buffer | ArrayBuffer | Buffer[], isBinary: boolean): string | Buffer {
  const bytes = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer);
  return isBinary ? bytes : bytes.toString('utf8');
}

/**
 * Joins a frame channel to a WebSocket: frames pass through untouched both ways, in order, and
 * whichever side ends first ends the other.
 */
export function bridgeFrames(inbox: SocketInbox, channel: FrameChannel, sender: FrameSender): void {
  const ws = inbox.socket;
  let chain = Promise.resolve();
  let pending = 0;
  const end = (): void => {
    if (sender.open) ws.close(CLOSE.normal);
    void channel.close().catch(() => undefined);
  };
  inbox.take((data, isBinary) => {
    if (++pending > MAX_PENDING) ws.pause();
    const frame = asFrame(data, isBinary);
    chain = chain
      .then(() => channel.send(frame))
      .catch(end)
      .finally(() => {
        if (--pending <= MAX_PENDING / 4) ws.resume();
      });
  });
  ws.once('close', () => void channel.close().catch(() => undefined));
  void (async () => {
    try {
      for await (const frame of channel.frames) if (!(await sender.relayPaced(frame))) break;
    } catch {
      // The far side failed; closing the socket tells the caller.
    }
    end();
  })();
}
