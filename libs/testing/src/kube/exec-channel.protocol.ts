import type { WebSocket } from 'ws';

/**
 * The channel.k8s.io WebSocket framing (k8s.io/apimachinery/pkg/util/httpstream/wsstream):
 * every binary message starts with one byte naming its channel; the base64 variants send a
 * text message whose first character is the channel digit and whose rest is base64.
 * v5.channel.k8s.io adds the client's half-close `[255, channel]`.
 *
 * Subprotocol negotiation follows the client's order: the first protocol it offers that the
 * endpoint supports wins; a request offering none gets the "" (binary, pre-v4) protocol.
 */
export const CLOSE_CHANNEL = 255;

/** pods/exec: what the API server (stream translator) and kubelet accept for WebSocket exec. */
export const EXEC_PROTOCOLS = [
  'v5.channel.k8s.io',
  'v5.base64.channel.k8s.io',
  'v4.channel.k8s.io',
  'v4.base64.channel.k8s.io',
  'channel.k8s.io',
  'base64.channel.k8s.io',
];

/** pods/portforward over WebSocket: the kubelet's list (no v5 there). */
export const PORTFORWARD_PROTOCOLS = ['v4.channel.k8s.io', 'v4.base64.channel.k8s.io'];

/** The first protocol in the client's list that `supported` has; '' when the client offered none; undefined when none match. */
export function negotiate(offered: string[], supported: string[]): string | undefined {
  if (offered.length === 0) return '';
  return offered.find((p) => supported.includes(p));
}

export function offeredProtocols(header: string | string[] | undefined): string[] {
  const raw = Array.isArray(header) ? header.join(',') : (header ?? '');
  return raw
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p.length > 0);
}

export interface ChannelFrame {
  channel: number;
  data: Buffer;
}

export class ChannelConnection {
  readonly base64: boolean;
  readonly supportsClose: boolean;
  readonly version: number;

  constructor(
    readonly ws: WebSocket,
    readonly protocol: string,
  ) {
    this.base64 = protocol.includes('base64');
    this.supportsClose = protocol.startsWith('v5.');
    this.version = /^v(\d+)\./.exec(protocol) ? Number(/^v(\d+)\./.exec(protocol)![1]) : 1;
  }

  send(channel: number, data: Buffer | string = Buffer.alloc(0)): Promise<void> {
    const payload = typeof data === 'string' ? Buffer.from(data) : data;
    return new Promise((resolve) => {
      if (this.ws.readyState !== this.ws.OPEN) return resolve();
      const done = (): void => resolve();
      if (this.base64) this.ws.send(String.fromCharCode(48 + channel) + payload.toString('base64'), done);
      else this.ws.send(Buffer.concat([Buffer.from([channel]), payload]), { binary: true }, done);
    });
  }

  /** Decodes one client message; `close` is set for a v5 half-close. */
  decode(message: Buffer, isBinary: boolean): (ChannelFrame & { close?: boolean }) | undefined {
    if (message.length === 0) return undefined;
    if (this.supportsClose && message[0] === CLOSE_CHANNEL) {
      if (message.length !== 2) return undefined;
      return { channel: message[1]!, data: Buffer.alloc(0), close: true };
    }
    if (this.base64 || !isBinary) {
      const text = message.toString('utf8');
      const channel = text.charCodeAt(0) - 48;
      return { channel, data: this.base64 ? Buffer.from(text.slice(1), 'base64') : Buffer.from(text.slice(1)) };
    }
    return { channel: message[0]!, data: message.subarray(1) };
  }

  close(): void {
    if (this.ws.readyState === this.ws.OPEN) this.ws.close(1000);
  }
}
