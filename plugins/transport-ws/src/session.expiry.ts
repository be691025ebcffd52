import type { Duplex } from 'node:stream';
import {
  credentialsExpiredError,
  onCredentialsExpiry,
  type Principal,
  type SandboxedError,
} from '@sandboxed/plugin-sdk';
import type { WebSocket } from 'ws';
import { closeCodeFor } from './close-codes.js';
import type { FrameSender } from './frame.sender.js';

/** A socket lives no longer than its credentials: at expiry, an error frame, then close 4401 "token expired". */
export function closeAtExpiry(
  ws: WebSocket,
  principal: Principal,
  sender: FrameSender,
  errorFrame: (error: SandboxedError) => unknown,
): void {
  const cancel = onCredentialsExpiry(principal, () => {
    const error = credentialsExpiredError();
    sender.send(errorFrame(error));
    ws.close(closeCodeFor(error), 'token expired');
  });
  ws.once('close', cancel);
}

/** Raw bytes (a tunnel, a proxied response) have no frame to say why: the connection is cut at expiry. */
export function cutAtExpiry(stream: Duplex | NodeJS.WritableStream, principal: Principal): void {
  const target = stream as Duplex;
  const cancel = onCredentialsExpiry(principal, () => target.destroy());
  target.once('close', cancel);
}
