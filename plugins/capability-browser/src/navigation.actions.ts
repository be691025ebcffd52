import { InvalidArgumentError, TimeoutError, UnavailableError } from '@sandboxed/plugin-sdk';
import type { BrowserTab } from './browser.tab.js';
import { withDeadline } from './deadline.js';
import { PAGE_STATE, WAIT_LOADED } from './page.scripts.js';

export type WaitUntil = 'load' | 'domcontentloaded' | 'networkidle';

const LIFECYCLE: Record<WaitUntil, string> = {
  load: 'load',
  domcontentloaded: 'DOMContentLoaded',
  networkidle: 'networkIdle',
};

export interface PageState {
  url: string;
  title: string;
  width: number;
  height: number;
  scrollX: number;
  scrollY: number;
}

export interface NavigationResult {
  url: string;
  title: string;
  status: number;
}

export async function pageState(tab: BrowserTab): Promise<PageState> {
  return tab.value<PageState>(PAGE_STATE);
}

async function settled(tab: BrowserTab, loaderId: string | undefined): Promise<NavigationResult> {
  const state = await pageState(tab);
  return { url: state.url, title: state.title, status: tab.statusOf(loaderId) };
}

/** Goes to a URL (already checked) and waits for its document to reach `waitUntil`. */
export async function navigate(
  tab: BrowserTab,
  url: string,
  waitUntil: WaitUntil,
  timeoutMs: number,
  signal: AbortSignal,
): Promise<NavigationResult> {
  const name = LIFECYCLE[waitUntil];
  const stop = new AbortController();
  const onAbort = (): void => stop.abort();
  signal.addEventListener('abort', onAbort, { once: true });
  let loaderId: string | undefined;
  const early = new Set<string>();
  // Subscribed before navigating: a fast page can reach `load` before Page.navigate answers.
  const reached = tab.waitForEvent<{ loaderId: string; name: string; frameId: string }>(
    'Page.lifecycleEvent',
    (p) => {
      if (p.frameId !== tab.targetId || p.name !== name) return false;
      if (loaderId === undefined) early.add(p.loaderId);
      return p.loaderId === loaderId;
    },
    timeoutMs,
    `Navigation to ${url} (${waitUntil})`,
    stop.signal,
  );
  reached.catch(() => undefined);
  try {
    // Page.navigate answers only once the response starts: a server that never answers must not outlast the deadline.
    const res = (await withDeadline(tab.send('Page.navigate', { url }), timeoutMs, `Navigation to ${url}`, signal)) as {
      loaderId?: string;
      errorText?: string;
    };
    if (res.errorText) {
      // A download is a navigation that ends in ERR_ABORTED with nothing new to show.
      if (res.errorText === 'net::ERR_ABORTED') return settled(tab, undefined);
      throw new UnavailableError(`Navigation to ${url} failed: ${res.errorText}`, { url, errorText: res.errorText });
    }
    if (!res.loaderId) return settled(tab, undefined); // same-document (#fragment) navigation
    loaderId = res.loaderId;
    if (!early.has(loaderId)) await reached;
    return settled(tab, loaderId);
  } finally {
    signal.removeEventListener('abort', onAbort);
    stop.abort();
  }
}

/** back, forward or reload: waits for the new document to load (a cached one may not fire events). */
export async function moveInHistory(
  tab: BrowserTab,
  move: 'back' | 'forward' | 'reload',
  timeoutMs: number,
  signal: AbortSignal,
): Promise<NavigationResult> {
  const stop = new AbortController();
  const onAbort = (): void => stop.abort();
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    return await historyMove(tab, move, timeoutMs, stop.signal);
  } finally {
    signal.removeEventListener('abort', onAbort);
    stop.abort();
  }
}

async function historyMove(
  tab: BrowserTab,
  move: 'back' | 'forward' | 'reload',
  timeoutMs: number,
  signal: AbortSignal,
): Promise<NavigationResult> {
  const navigated = tab.waitForEvent<{ frame: { id: string; loaderId: string; parentId?: string } }>(
    'Page.frameNavigated',
    (p) => !p.frame.parentId,
    timeoutMs,
    `browser.${move}`,
    signal,
  );
  const within = tab.waitForEvent<{ frameId: string }>(
    'Page.navigatedWithinDocument',
    (p) => p.frameId === tab.targetId,
    timeoutMs,
    `browser.${move}`,
    signal,
  );
  navigated.catch(() => undefined);
  within.catch(() => undefined);
  if (move === 'reload') {
    await tab.send('Page.reload', {});
  } else {
    const { currentIndex, entries } = (await tab.send('Page.getNavigationHistory')) as {
      currentIndex: number;
      entries: Array<{ id: number }>;
    };
    const entry = entries[currentIndex + (move === 'back' ? -1 : 1)];
    if (!entry) throw new InvalidArgumentError(`browser.${move}: there is no page to go ${move} to in this tab`);
    await tab.send('Page.navigateToHistoryEntry', { entryId: entry.id });
  }
  const done = (await Promise.race([navigated, within])) as { frame?: { loaderId: string } };
  const loaded = await withDeadline(
    tab.value<boolean>(WAIT_LOADED, [timeoutMs]),
    timeoutMs + 1000,
    `browser.${move}`,
    signal,
  ).catch(() => false);
  if (!loaded) throw new TimeoutError(`browser.${move}: the page did not finish loading within ${timeoutMs} ms`);
  return settled(tab, done.frame?.loaderId);
}
