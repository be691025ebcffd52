import type { OperationEvent } from '@sandboxed/plugin-sdk';
import type { BrowserTab } from './browser.tab.js';

export interface ScreencastOptions {
  fps: number;
  quality: number;
  maxWidth: number;
  maxHeight: number;
  durationMs: number;
  maxFrames: number;
}

interface Frame {
  data: string;
  sessionId: number;
  metadata: { deviceWidth: number; deviceHeight: number; timestamp?: number };
}

/**
 * JPEG frames of the tab from Page.startScreencast, at most `fps` a second: every frame is
 * acknowledged at once (so Chromium keeps sending), and only the newest one waits for a slow reader.
 * Ends after durationMs or maxFrames, or when the caller goes away.
 */
export async function* screencast(
  tab: BrowserTab,
  opts: ScreencastOptions,
  signal: AbortSignal,
): AsyncGenerator<OperationEvent> {
  const minGapMs = 1000 / opts.fps;
  let latest: Frame | undefined;
  let wake: (() => void) | undefined;
  const notify = (): void => {
    wake?.();
    wake = undefined;
  };
  const unsubscribe = tab.subscribe<Frame>('Page.screencastFrame', (frame) => {
    void tab.send('Page.screencastFrameAck', { sessionId: frame.sessionId }).catch(() => undefined);
    latest = frame;
    notify();
  });
  const ends = Date.now() + opts.durationMs;
  const timer = setTimeout(notify, opts.durationMs);
  signal.addEventListener('abort', notify, { once: true });
  let sent = 0;
  let lastAt = 0;
  try {
    await tab.send('Page.startScreencast', {
      format: 'jpeg',
      quality: opts.quality,
      maxWidth: opts.maxWidth,
      maxHeight: opts.maxHeight,
      everyNthFrame: 1,
    });
    while (sent < opts.maxFrames && !signal.aborted && Date.now() < ends) {
      if (!latest) {
        await new Promise<void>((resolve) => (wake = resolve));
        continue;
      }
      const gap = lastAt + minGapMs - Date.now();
      if (gap > 0) {
        await new Promise<void>((resolve) => setTimeout(resolve, Math.min(gap, Math.max(0, ends - Date.now()))));
        continue;
      }
      const frame = latest;
      latest = undefined;
      lastAt = Date.now();
      sent++;
      yield {
        type: 'frame',
        format: 'jpeg',
        data: frame.data,
        width: frame.metadata.deviceWidth,
        height: frame.metadata.deviceHeight,
        timestamp: frame.metadata.timestamp ?? Date.now() / 1000,
      };
    }
    yield { type: 'end', frames: sent };
  } finally {
    clearTimeout(timer);
    signal.removeEventListener('abort', notify);
    unsubscribe();
    await tab.send('Page.stopScreencast').catch(() => undefined);
  }
}
