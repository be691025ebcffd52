import {
  assertJsonDepth,
  InvalidArgumentError,
  toSandboxedError,
  type ChannelMessage,
  type MessageChannel,
} from '@sandboxed/plugin-sdk';
import { CLOSE } from './close-codes.js';
import type { FrameSender } from './frame.sender.js';
import type { SocketInbox } from './socket.inbox.js';

/** Frames waiting for the channel before the socket stops reading (TCP then slows the client). */
const MAX_PENDING = 32;

function parseMessage(text: string): ChannelMessage {
  assertJsonDepth(text, 'Frame');
  let msg: unknown;
  try {
    msg = JSON.parse(text);
  } catch {
    throw new InvalidArgumentError('Frame is not valid JSON');
  }
  if (!msg || typeof msg !== 'object' || Array.isArray(msg) || typeof (msg as ChannelMessage).type !== 'string') {
    throw new InvalidArgumentError('Frame must be a JSON object with a string `type`');
  }
  return msg as ChannelMessage;
}

/**
 * Joins a message channel to a WebSocket: each JSON text frame goes to the channel in order,
 * each channel message goes out as a frame, and whichever side ends first ends the other.
 */
export function bridgeChannel(inbox: SocketInbox, channel: MessageChannel, sender: FrameSender): void {
  const ws = inbox.socket;
  let chain = Promise.resolve();
  let pending = 0;
  const fail = (err: unknown): void => void sender.send({ type: 'error', error: toSandboxedError(err).toJSON() });
  inbox.take((data, isBinary) => {
    let msg: ChannelMessage;
    try {
      if (isBinary) throw new InvalidArgumentError('Send JSON text frames');
      msg = parseMessage(data.toString());
    } catch (err) {
      return fail(err);
    }
    if (++pending > MAX_PENDING) ws.pause();
    chain = chain
      .then(() => channel.send(msg))
      .catch(fail)
      .finally(() => {
        if (--pending <= MAX_PENDING / 4) ws.resume();
      });
  });
  ws.once('close', () => void channel.close().catch(() => undefined));
  void (async () => {
    try {
      for await (const message of channel.messages) if (!(await sender.sendPaced(message))) break;
    } catch (err) {
      fail(err);
    }
    if (sender.open) ws.close(CLOSE.normal);
    await channel.close().catch(() => undefined);
  })();
}
