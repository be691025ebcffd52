import { sandboxOperation, type OperationDefinition } from '@sandboxed/plugin-sdk';
import { onActiveTab, timeoutOf, type BrowserDeps } from './browser-operation.context.js';
import { moveInHistory, navigate, pageState } from './navigation.actions.js';
import {
  EmptyInput,
  InfoOutput,
  NavigateInput,
  NavigationOutput,
  TimeoutInput,
  ViewportSize,
} from './navigation.dto.js';
import { checkedNavigationUrl } from './url.policy.js';

export function navigationOperations(deps: BrowserDeps): OperationDefinition[] {
  const { settings } = deps;
  const history = (move: 'back' | 'forward' | 'reload', summary: string): OperationDefinition =>
    sandboxOperation({
      id: `browser.${move}`,
      summary,
      input: TimeoutInput,
      output: NavigationOutput,
      hints: { readOnly: false, destructive: false, idempotent: move === 'reload' },
      http: { method: 'POST', path: `browser/${move}` },
      handler: (ctx, input) =>
        onActiveTab(deps, ctx, move, (tab) =>
          moveInHistory(tab, move, timeoutOf(input.timeoutMs, settings.navigationTimeoutMs, settings), ctx.signal),
        ),
    });
  return [
    sandboxOperation({
      id: 'browser.navigate',
      summary: 'Open a URL in the sandbox’s browser',
      description:
        'Navigates the active tab of the sandbox’s Chromium (started on first use; it runs inside the sandbox, so ' +
        'localhost is the sandbox and its network rules apply) and waits for waitUntil. Only http, https and ' +
        'about:blank are opened; file:, chrome:, devtools:, view-source: and javascript: get a 400.',
      input: NavigateInput,
      output: NavigationOutput,
      hints: { readOnly: false, destructive: false, idempotent: true },
      http: { method: 'POST', path: 'browser/navigate' },
      handler: (ctx, input) => {
        const url = checkedNavigationUrl(input.url);
        const timeoutMs = timeoutOf(input.timeoutMs, settings.navigationTimeoutMs, settings);
        return onActiveTab(deps, ctx, 'navigate', (tab) =>
          navigate(tab, url, input.waitUntil ?? 'load', timeoutMs, ctx.signal),
        );
      },
    }),
    history('back', 'Go back in the active tab'),
    history('forward', 'Go forward in the active tab'),
    history('reload', 'Reload the active tab'),
    sandboxOperation({
      id: 'browser.info',
      summary: 'The active tab’s URL, title and viewport',
      input: EmptyInput,
      output: InfoOutput,
      hints: { readOnly: true, idempotent: true },
      http: { method: 'GET', path: 'browser' },
      handler: (ctx) =>
        onActiveTab(deps, ctx, 'describe the page', async (tab, session) => {
          const state = await pageState(tab);
          return {
            url: state.url,
            title: state.title,
            tabId: tab.targetId,
            viewport: tab.viewport,
            browser: {
              product: session.product,
              ...(session.launchMs !== undefined ? { launchMs: session.launchMs } : {}),
            },
          };
        }),
    }),
    sandboxOperation({
      id: 'browser.viewport.set',
      summary: 'Resize the active tab’s viewport',
      input: ViewportSize,
      output: ViewportSize,
      hints: { readOnly: false, destructive: false, idempotent: true },
      http: { method: 'PUT', path: 'browser/viewport' },
      handler: (ctx, input) =>
        onActiveTab(deps, ctx, 'set the viewport', async (tab) => {
          await tab.applyViewport({ width: input.width, height: input.height });
          return tab.viewport;
        }),
    }),
  ];
}
