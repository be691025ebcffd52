import { WebSocket } from 'ws';
import {
  sandboxFrameChannel,
  UnavailableError,
  type FrameChannel,
  type FrameChannelDefinition,
} from '@sandboxed/plugin-sdk';
import type { BrowserDeps } from './browser-operation.context.js';
import { EmptyInput } from './navigation.dto.js';

const MAX_FRAME_BYTES = 256 * 1024 * 1024;
/** Frames from the browser waiting for a slow caller before the relay stops reading. */
const HIGH_WATER = 64;

/** A caller's raw CDP connection, relayed to the sandbox browser's browser-level endpoint. */
class CdpRelay implements FrameChannel {
  readonly frames: AsyncIterable<string | Buffer>;
  private readonly queue: Array<string | Buffer> = [];
  private wake?: () => void;
  private ended = false;

  constructor(private readonly ws: WebSocket) {
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      this.queue.push(isBinary ? data : data.toString('utf8'));
      if (this.queue.length >= HIGH_WATER) ws.pause();
      this.notify();
    });
    ws.on('close', () => {
      this.ended = true;
      this.notify();
    });
    ws.on('error', () => undefined);
    this.frames = this.read();
  }

  private notify(): void {
    this.wake?.();
    this.wake = undefined;
  }

  private async *read(): AsyncGenerator<string | Buffer> {
    for (;;) {
      const frame = this.queue.shift();
      if (frame !== undefined) {
        if (this.queue.length < HIGH_WATER / 2) this.ws.resume();
        yield frame;
        continue;
      }
      if (this.ended) return;
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
  }

  async send(frame: string | Buffer): Promise<void> {
    if (this.ws.readyState !== WebSocket.OPEN) return;
    await new Promise<void>((resolve) => this.ws.send(frame, () => resolve()));
  }

  async close(): Promise<void> {
    if (this.ws.readyState === WebSocket.OPEN || this.ws.readyState === WebSocket.CONNECTING) this.ws.terminate();
  }
}

export function cdpRelayChannel(deps: BrowserDeps): FrameChannelDefinition<EmptyInput> {
  return sandboxFrameChannel({
    id: 'browser.cdp',
    summary: 'Raw Chrome DevTools Protocol to the sandbox’s browser',
    description:
      'A WebSocket that relays CDP frames untouched to the browser-level DevTools endpoint of the sandbox’s Chromium ' +
      '(started if needed), so Playwright (`chromium.connectOverCDP(url, { headers })`) or Puppeteer can drive it. ' +
      'Credentials go in the Authorization or X-API-Key header of the upgrade.',
    input: EmptyInput,
    hints: { readOnly: false, destructive: false, idempotent: false },
    path: 'browser/cdp',
    open: async (ctx) => {
      const { bridge, path } = await deps.pool.browserEndpoint(ctx);
      const ws = new WebSocket(bridge.wsUrl(path), { perMessageDeflate: false, maxPayload: MAX_FRAME_BYTES });
      await new Promise<void>((resolve, reject) => {
        ws.once('open', () => resolve());
        ws.once('error', (err) => reject(new UnavailableError(`Cannot reach the sandbox’s browser: ${err.message}`)));
      });
      return new CdpRelay(ws);
    },
  });
}
