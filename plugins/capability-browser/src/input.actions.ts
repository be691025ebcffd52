import { ConflictError, InvalidArgumentError } from '@sandboxed/plugin-sdk';
import type { BrowserTab } from './browser.tab.js';
import { parseKey } from './key.definitions.js';
import { FOCUS_AND_SELECT, SCROLL_INTO_VIEW, SELECT_OPTIONS } from './page.scripts.js';

/** The centre of an element on screen, after scrolling it into view. */
async function centreOf(tab: BrowserTab, objectId: string, what: string): Promise<{ x: number; y: number }> {
  const visible = await tab.value<boolean>(SCROLL_INTO_VIEW, [], objectId);
  const { quads } = (await tab.send('DOM.getContentQuads', { objectId }).catch(() => ({ quads: [] }))) as {
    quads: number[][];
  };
  const quad = quads.find((q) => q.length === 8);
  if (!visible || !quad) throw new ConflictError(`${what} is not visible on the page, so it cannot be pointed at`);
  const xs = [quad[0]!, quad[2]!, quad[4]!, quad[6]!];
  const ys = [quad[1]!, quad[3]!, quad[5]!, quad[7]!];
  return { x: xs.reduce((a, b) => a + b) / 4, y: ys.reduce((a, b) => a + b) / 4 };
}

export async function clickElement(tab: BrowserTab, objectId: string, what: string, clickCount = 1): Promise<void> {
  const { x, y } = await centreOf(tab, objectId, what);
  await tab.send('Input.dispatchMouseEvent', { type: 'mouseMoved', x, y });
  await tab.send('Input.dispatchMouseEvent', { type: 'mousePressed', x, y, button: 'left', clickCount });
  await tab.send('Input.dispatchMouseEvent', { type: 'mouseReleased', x, y, button: 'left', clickCount });
}

export async function hoverElement(tab: BrowserTab, objectId: string, what: string): Promise<void> {
  const { x, y } = await centreOf(tab, objectId, what);
  await tab.send('Input.dispatchMouseEvent', { type: 'mouseMoved', x, y });
}

/** Replaces the element's contents with `text`, as a person selecting all and typing would. */
export async function typeInto(tab: BrowserTab, objectId: string, what: string, text: string): Promise<void> {
  const focused = await tab.value<boolean>(FOCUS_AND_SELECT, [], objectId);
  if (!focused) throw new ConflictError(`${what} cannot take text (it is not an input, a textarea or editable)`);
  if (text.length > 0) await tab.send('Input.insertText', { text });
  else await pressKey(tab, 'Delete');
}

export async function pressKey(tab: BrowserTab, spec: string): Promise<void> {
  const k = parseKey(spec);
  const base = { key: k.key, code: k.code, windowsVirtualKeyCode: k.keyCode, modifiers: k.modifiers };
  await tab.send('Input.dispatchKeyEvent', {
    type: k.text ? 'keyDown' : 'rawKeyDown',
    ...base,
    ...(k.text ? { text: k.text } : {}),
  });
  await tab.send('Input.dispatchKeyEvent', { type: 'keyUp', ...base });
}

export async function focusElement(tab: BrowserTab, objectId: string): Promise<void> {
  await tab.send('DOM.focus', { objectId });
}

export async function selectOptions(tab: BrowserTab, objectId: string, values: string[]): Promise<string[]> {
  const res = await tab.value<{ error?: string; selected?: string[] }>(SELECT_OPTIONS, [values], objectId);
  if (res.error) throw new InvalidArgumentError(`select: ${res.error}`);
  return res.selected ?? [];
}
