import { InvalidArgumentError, type SandboxOperationContext } from '@sandboxed/plugin-sdk';
import type { BrowserSettings } from './browser-options.dto.js';
import type { BrowserSessionPool } from './browser-session.pool.js';
import type { BrowserSession } from './browser.session.js';
import type { BrowserTab } from './browser.tab.js';
import { browserError } from './cdp.errors.js';

export interface BrowserDeps {
  pool: BrowserSessionPool;
  settings: BrowserSettings;
}

/** A caller's timeoutMs, checked against the plugin's ceiling, or the default. */
export function timeoutOf(requested: number | undefined, fallback: number, settings: BrowserSettings): number {
  if (requested === undefined) return Math.min(fallback, settings.maxTimeoutMs);
  if (requested > settings.maxTimeoutMs) {
    throw new InvalidArgumentError(
      `timeoutMs: at most ${settings.maxTimeoutMs} (the capability-browser option maxTimeoutMs)`,
    );
  }
  return requested;
}

/** Runs `fn` on the sandbox's active tab (launching the browser first if needed); browser failures become typed errors. */
export async function onActiveTab<T>(
  deps: BrowserDeps,
  ctx: SandboxOperationContext,
  doing: string,
  fn: (tab: BrowserTab, session: BrowserSession) => Promise<T>,
): Promise<T> {
  const session = await deps.pool.session(ctx);
  try {
    return await fn(await session.activeTab(), session);
  } catch (err) {
    throw browserError(err, doing);
  }
}

export async function onSession<T>(
  deps: BrowserDeps,
  ctx: SandboxOperationContext,
  doing: string,
  fn: (session: BrowserSession) => Promise<T>,
): Promise<T> {
  const session = await deps.pool.session(ctx);
  try {
    return await fn(session);
  } catch (err) {
    throw browserError(err, doing);
  }
}
