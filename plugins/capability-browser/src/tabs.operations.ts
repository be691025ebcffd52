import { sandboxOperation, type OperationDefinition } from '@sandboxed/plugin-sdk';
import { onSession, timeoutOf, type BrowserDeps } from './browser-operation.context.js';
import type { BrowserSession } from './browser.session.js';
import type { BrowserTab } from './browser.tab.js';
import { navigate } from './navigation.actions.js';
import { EmptyInput } from './navigation.dto.js';
import { DownloadList, TabClosedOutput, TabIdInput, TabList, TabOpenInput, TabOutput } from './tabs.dto.js';
import { checkedNavigationUrl } from './url.policy.js';

async function describe(session: BrowserSession, tab: BrowserTab): Promise<TabOutput> {
  const tabs = await session.listTabs();
  return tabs.find((t) => t.id === tab.targetId) ?? { id: tab.targetId, url: 'about:blank', title: '', active: true };
}

export function tabsOperations(deps: BrowserDeps): OperationDefinition[] {
  const { settings } = deps;
  return [
    sandboxOperation({
      id: 'browser.tabs.list',
      summary: 'List the browser’s tabs',
      input: EmptyInput,
      output: TabList,
      hints: { readOnly: true, idempotent: true },
      http: { method: 'GET', path: 'browser/tabs' },
      handler: (ctx) => onSession(deps, ctx, 'list tabs', async (session) => ({ tabs: await session.listTabs() })),
    }),
    sandboxOperation({
      id: 'browser.tabs.open',
      summary: 'Open a tab (and make it active)',
      input: TabOpenInput,
      output: TabOutput,
      hints: { readOnly: false, destructive: false, idempotent: false },
      http: { method: 'POST', path: 'browser/tabs', status: 201 },
      handler: (ctx, input) => {
        const url = input.url === undefined ? undefined : checkedNavigationUrl(input.url);
        const timeoutMs = timeoutOf(input.timeoutMs, settings.navigationTimeoutMs, settings);
        return onSession(deps, ctx, 'open a tab', async (session) => {
          const tab = await session.openTab();
          if (url) await navigate(tab, url, input.waitUntil ?? 'load', timeoutMs, ctx.signal);
          return describe(session, tab);
        });
      },
    }),
    sandboxOperation({
      id: 'browser.tabs.switch',
      summary: 'Make a tab the active one',
      input: TabIdInput,
      output: TabOutput,
      hints: { readOnly: false, destructive: false, idempotent: true },
      http: { method: 'POST', path: 'browser/tabs/{tabId}/activate' },
      handler: (ctx, input) =>
        onSession(deps, ctx, 'switch tabs', async (session) => describe(session, await session.switchTab(input.tabId))),
    }),
    sandboxOperation({
      id: 'browser.tabs.close',
      summary: 'Close a tab',
      input: TabIdInput,
      output: TabClosedOutput,
      hints: { readOnly: false, destructive: true, idempotent: false },
      http: { method: 'DELETE', path: 'browser/tabs/{tabId}' },
      handler: (ctx, input) =>
        onSession(deps, ctx, 'close a tab', async (session) => {
          await session.closeTab(input.tabId);
          return { id: input.tabId, closed: true };
        }),
    }),
    sandboxOperation({
      id: 'browser.downloads.list',
      summary: 'Files the browser downloaded',
      description:
        'Downloads land in the sandbox’s /workspace/downloads (read them with the files operations); this lists the ' +
        'ones this gateway’s browser session saw, with their progress.',
      input: EmptyInput,
      output: DownloadList,
      hints: { readOnly: true, idempotent: true },
      http: { method: 'GET', path: 'browser/downloads' },
      handler: (ctx) => onSession(deps, ctx, 'list downloads', async (session) => ({ downloads: session.downloads })),
    }),
  ];
}
