import { sandboxOperation, sandboxStreamOperation, type OperationDefinition } from '@sandboxed/plugin-sdk';
import { onActiveTab, timeoutOf, type BrowserDeps } from './browser-operation.context.js';
import { typedErrors } from './cdp.errors.js';
import type { BrowserTab } from './browser.tab.js';
import { evaluate, htmlOf, pdf, screenshot, textOf } from './content.actions.js';
import {
  ContentOutput,
  EvaluateInput,
  EvaluateOutput,
  PdfOutput,
  ScreencastInput,
  ScreenshotInput,
  ScreenshotOutput,
  SelectorInput,
  TextInput,
} from './content.dto.js';
import { locate, waitForElement } from './element.locator.js';
import { EmptyInput } from './navigation.dto.js';
import { screencast } from './screencast.stream.js';

export function contentOperations(deps: BrowserDeps): OperationDefinition[] {
  const { settings } = deps;
  const read = { readOnly: true, idempotent: true };
  const scoped = (tab: BrowserTab, selector: string | undefined): Promise<string | undefined> =>
    selector ? waitForElement(tab, { selector }, 'attached', settings.actionTimeoutMs) : Promise.resolve(undefined);
  return [
    sandboxOperation({
      id: 'browser.screenshot',
      summary: 'Take a screenshot',
      description:
        'The viewport (or the whole page, or one element) as PNG or JPEG, base64, with its size in pixels. Over MCP ' +
        'the image arrives as an image content item.',
      input: ScreenshotInput,
      output: ScreenshotOutput,
      hints: read,
      http: { method: 'POST', path: 'browser/screenshot' },
      media: (out: ScreenshotOutput) => ({
        images: [{ data: out.data, mimeType: `image/${out.format}` }],
        summary: { format: out.format, width: out.width, height: out.height },
      }),
      handler: (ctx, input) =>
        onActiveTab(deps, ctx, 'take a screenshot', async (tab) => {
          const clipOf =
            input.ref || input.selector
              ? await locate(
                  tab,
                  { ...(input.ref ? { ref: input.ref } : {}), ...(input.selector ? { selector: input.selector } : {}) },
                  timeoutOf(input.timeoutMs, settings.actionTimeoutMs, settings),
                  'screenshot',
                )
              : undefined;
          return screenshot(
            tab,
            {
              format: input.format ?? 'png',
              fullPage: input.fullPage ?? false,
              ...(input.quality ? { quality: input.quality } : {}),
              ...(clipOf ? { clipOf } : {}),
            },
            settings.maxImageBytes,
          );
        }),
    }),
    sandboxOperation({
      id: 'browser.evaluate',
      summary: 'Run JavaScript in the page',
      description:
        'Evaluates an expression in the active tab (a promise is awaited) and returns its value as JSON, up to the ' +
        'maxEvaluateBytes cap (413 beyond). An exception is a 400 carrying its message.',
      input: EvaluateInput,
      output: EvaluateOutput,
      hints: { readOnly: false, destructive: false, idempotent: false },
      http: { method: 'POST', path: 'browser/evaluate' },
      handler: (ctx, input) =>
        onActiveTab(deps, ctx, 'evaluate', (tab) =>
          evaluate(
            tab,
            input.expression,
            timeoutOf(input.timeoutMs, settings.actionTimeoutMs, settings),
            settings.maxEvaluateBytes,
          ),
        ),
    }),
    sandboxOperation({
      id: 'browser.html',
      summary: 'The page’s HTML',
      input: SelectorInput,
      output: ContentOutput,
      hints: read,
      http: { method: 'POST', path: 'browser/html' },
      handler: (ctx, input) =>
        onActiveTab(deps, ctx, 'read the HTML', async (tab) =>
          htmlOf(tab, await scoped(tab, input.selector), settings.maxContentBytes),
        ),
    }),
    sandboxOperation({
      id: 'browser.text',
      summary: 'The page’s text, or markdown',
      input: TextInput,
      output: ContentOutput,
      hints: read,
      http: { method: 'POST', path: 'browser/text' },
      handler: (ctx, input) =>
        onActiveTab(deps, ctx, 'read the text', async (tab) =>
          textOf(tab, await scoped(tab, input.selector), input.format ?? 'text', settings.maxContentBytes),
        ),
    }),
    sandboxOperation({
      id: 'browser.pdf',
      summary: 'Print the page to PDF',
      input: EmptyInput,
      output: PdfOutput,
      hints: read,
      http: { method: 'POST', path: 'browser/pdf' },
      handler: (ctx) => onActiveTab(deps, ctx, 'print to PDF', (tab) => pdf(tab, settings.maxImageBytes)),
    }),
    sandboxStreamOperation({
      id: 'browser.screencast',
      summary: 'Watch the active tab live',
      description:
        'A stream of `frame` events ({data: base64 JPEG, width, height, timestamp}) from Chromium’s screencast, at ' +
        'most fps a second (frames come when the page changes), then one `end`. Ends after durationMs or maxFrames, ' +
        'or when the caller disconnects.',
      input: ScreencastInput,
      events: ['frame', 'end', 'error'],
      http: { method: 'POST', path: 'browser/screencast' },
      handler: async function* (ctx, input) {
        const tab = await onActiveTab(deps, ctx, 'start the screencast', async (t) => t);
        yield* typedErrors(
          screencast(
            tab,
            {
              fps: Math.min(input.fps ?? 2, settings.maxScreencastFps),
              quality: input.quality ?? 60,
              maxWidth: input.maxWidth ?? 1280,
              maxHeight: input.maxHeight ?? 720,
              durationMs: Math.min(input.durationMs ?? 60_000, settings.maxScreencastMs),
              maxFrames: input.maxFrames ?? Number.MAX_SAFE_INTEGER,
            },
            ctx.signal,
          ),
          'stream the screencast',
        );
      },
    }),
  ];
}
