import { InvalidArgumentError, LimitExceededError, TimeoutError } from '@sandboxed/plugin-sdk';
import { buildAxSnapshot, type AxNode } from './ax-snapshot.builder.js';
import type { BrowserTab } from './browser.tab.js';
import { cdpMessage } from './cdp.errors.js';
import { imageSize } from './image-size.reader.js';
import { HTML_OF, TEXT_OF } from './page.scripts.js';

export interface Capped {
  content: string;
  truncated: boolean;
}

function cap(text: string, maxBytes: number): Capped {
  if (Buffer.byteLength(text) <= maxBytes) return { content: text, truncated: false };
  // Cut on a character boundary: drop a partial multi-byte sequence at the end.
  const cut = Buffer.from(text)
    .subarray(0, maxBytes)
    .toString('utf8')
    .replace(/\uFFFD$/, '');
  return { content: cut, truncated: true };
}

export async function snapshot(
  tab: BrowserTab,
  maxBytes: number,
): Promise<{ snapshot: string; refs: number; truncated: boolean }> {
  const { nodes } = (await tab.send('Accessibility.getFullAXTree', {})) as { nodes: AxNode[] };
  const built = buildAxSnapshot(nodes, maxBytes);
  tab.refs = built.refs;
  return { snapshot: built.text, refs: built.refs.size, truncated: built.truncated };
}

export async function htmlOf(tab: BrowserTab, on: string | undefined, maxBytes: number): Promise<Capped> {
  return cap(await tab.value<string>(HTML_OF, [], on), maxBytes);
}

export async function textOf(
  tab: BrowserTab,
  on: string | undefined,
  format: 'text' | 'markdown',
  maxBytes: number,
): Promise<Capped> {
  if (format === 'text') return cap(await tab.value<string>(TEXT_OF, [], on), maxBytes);
  const html = await tab.value<string>(HTML_OF, [], on);
  // Imported by the first markdown call: an idle gateway need not hold it.
  const { default: TurndownService } = await import('turndown');
  const markdown = new TurndownService({ headingStyle: 'atx', codeBlockStyle: 'fenced' })
    .remove(['script', 'style', 'noscript'])
    .turndown(html);
  return cap(markdown, maxBytes);
}

export interface Screenshot {
  data: string;
  format: 'png' | 'jpeg';
  width: number;
  height: number;
}

export async function screenshot(
  tab: BrowserTab,
  opts: { format: 'png' | 'jpeg'; quality?: number; fullPage: boolean; clipOf?: string },
  maxBytes: number,
): Promise<Screenshot> {
  let clip: { x: number; y: number; width: number; height: number; scale: number } | undefined;
  if (opts.clipOf) {
    await tab.value('function () { this.scrollIntoView({ block: "center", behavior: "instant" }); }', [], opts.clipOf);
    const r = await tab.value<{ x: number; y: number; width: number; height: number }>(
      'function () { const r = this.getBoundingClientRect(); return { x: r.x + scrollX, y: r.y + scrollY, width: r.width, height: r.height }; }',
      [],
      opts.clipOf,
    );
    if (r.width < 1 || r.height < 1) throw new InvalidArgumentError('screenshot: the element has no size on the page');
    clip = { ...r, scale: 1 };
  } else if (opts.fullPage) {
    const metrics = (await tab.send('Page.getLayoutMetrics')) as { cssContentSize: { width: number; height: number } };
    clip = {
      x: 0,
      y: 0,
      width: Math.ceil(metrics.cssContentSize.width),
      height: Math.ceil(metrics.cssContentSize.height),
      scale: 1,
    };
  }
  const { data } = (await tab.send('Page.captureScreenshot', {
    format: opts.format,
    ...(opts.format === 'jpeg' ? { quality: opts.quality ?? 80 } : {}),
    ...(clip ? { clip, captureBeyondViewport: true } : {}),
  })) as { data: string };
  const bytes = Buffer.from(data, 'base64');
  if (bytes.length > maxBytes) {
    throw new LimitExceededError(
      `screenshot: ${bytes.length} bytes is over the ${maxBytes}-byte limit; take a smaller area or use jpeg`,
    );
  }
  const size = imageSize(bytes) ?? { width: 0, height: 0 };
  return { data, format: opts.format, ...size };
}

export async function pdf(tab: BrowserTab, maxBytes: number): Promise<{ data: string; bytes: number }> {
  const { data } = (await tab.send('Page.printToPDF', { printBackground: true })) as { data: string };
  const bytes = Math.floor((data.length * 3) / 4);
  if (bytes > maxBytes) throw new LimitExceededError(`pdf: about ${bytes} bytes is over the ${maxBytes}-byte limit`);
  return { data, bytes };
}

/** Runs an expression in the page (promises awaited) and returns its JSON value under a size cap. */
export async function evaluate(
  tab: BrowserTab,
  expression: string,
  timeoutMs: number,
  maxBytes: number,
): Promise<{ value: unknown; type: string }> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      void tab.send('Runtime.terminateExecution').catch(() => undefined);
      reject(new TimeoutError(`evaluate: the expression did not finish within ${timeoutMs} ms`, { timeoutMs }));
    }, timeoutMs);
  });
  try {
    const res = (await Promise.race([
      tab.send('Runtime.evaluate', { expression, returnByValue: true, awaitPromise: true, userGesture: true }),
      timedOut,
    ])) as {
      result: { type: string; value?: unknown; unserializableValue?: string; description?: string };
      exceptionDetails?: { text?: string; exception?: { description?: string } };
    };
    if (res.exceptionDetails) {
      const d = res.exceptionDetails;
      throw new InvalidArgumentError(
        `evaluate: the expression threw: ${(d.exception?.description ?? d.text ?? '').slice(0, 2000)}`,
      );
    }
    const { result } = res;
    const value = result.unserializableValue ?? result.value ?? null;
    const json = JSON.stringify(value) ?? 'null';
    if (Buffer.byteLength(json) > maxBytes) {
      throw new LimitExceededError(
        `evaluate: the result is ${Buffer.byteLength(json)} bytes as JSON, over the ${maxBytes}-byte limit`,
      );
    }
    return { value, type: result.type };
  } catch (err) {
    if (err instanceof InvalidArgumentError || err instanceof LimitExceededError || err instanceof TimeoutError)
      throw err;
    // A protocol error answers this expression (e.g. a result that is not serialisable); anything else is the browser's.
    if ((err as { response?: unknown })?.response) throw new InvalidArgumentError(`evaluate: ${cdpMessage(err)}`);
    throw err;
  } finally {
    clearTimeout(timer);
  }
}
