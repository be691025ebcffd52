import { InvalidArgumentError, NotFoundError } from '@sandboxed/plugin-sdk';
import type { BrowserTab } from './browser.tab.js';
import { withDeadline } from './deadline.js';
import { WAIT_FOR } from './page.scripts.js';

const PAGE_GRACE_MS = 2000;

/** An element named by a snapshot ref or a CSS selector (exactly one). */
export interface ElementTarget {
  ref?: string;
  selector?: string;
}

export type WaitState = 'visible' | 'hidden' | 'attached';

export function describeTarget(target: ElementTarget): string {
  return target.ref ? `ref ${target.ref}` : `selector ${JSON.stringify(target.selector)}`;
}

export function requireOneTarget(target: ElementTarget, op: string): void {
  if (!!target.ref === !!target.selector) {
    throw new InvalidArgumentError(
      `${op}: give either ref (from browser.snapshot) or selector (CSS), not both or neither`,
    );
  }
}

type WaitAnswer = { timeout?: true; invalidSelector?: string } | boolean | null;

/**
 * Waits (inside the page, on DOM mutations) until the target reaches `state`, up to timeoutMs.
 * Resolves with the element's object id (for `visible`/`attached`), or fails: 400 for a bad
 * selector, 409 for a stale ref, 404 when the element never got there.
 */
export async function waitForElement(
  tab: BrowserTab,
  target: ElementTarget & { text?: string },
  state: WaitState,
  timeoutMs: number,
): Promise<string | undefined> {
  const on = target.ref ? await tab.resolveRef(target.ref) : undefined;
  // The page times itself; the gateway's own deadline (a little later) covers a page whose script never yields.
  const res = await withDeadline(
    tab.call(WAIT_FOR, [target.selector ?? null, target.text ?? null, state, timeoutMs], on, { returnByValue: false }),
    timeoutMs + PAGE_GRACE_MS,
    `Waiting for ${target.text !== undefined ? 'text' : describeTarget(target)} (the page is not responding)`,
  );
  if (res.type === 'object' && res.subtype === 'node') return res.objectId;
  const answer = (
    res.type === 'object' && res.objectId
      ? await tab.value<WaitAnswer>('function () { return this; }', [], res.objectId)
      : res.value
  ) as WaitAnswer;
  if (answer && typeof answer === 'object' && answer.invalidSelector) {
    throw new InvalidArgumentError(`selector: ${answer.invalidSelector}`);
  }
  if (answer === true) return undefined;
  const what = target.text !== undefined ? `text ${JSON.stringify(target.text)}` : describeTarget(target);
  const verb = state === 'hidden' ? 'still shown' : state === 'attached' ? 'not found' : 'not visible';
  throw new NotFoundError(`${what}: ${verb} after ${timeoutMs} ms`, { timeoutMs, state });
}

/** The element an action applies to, waited for until visible. */
export async function locate(tab: BrowserTab, target: ElementTarget, timeoutMs: number, op: string): Promise<string> {
  requireOneTarget(target, op);
  const id = await waitForElement(tab, target, 'visible', timeoutMs);
  return id!;
}
