import { InvalidArgumentError, sandboxOperation, type OperationDefinition } from '@sandboxed/plugin-sdk';
import { onActiveTab, timeoutOf, type BrowserDeps } from './browser-operation.context.js';
import type { BrowserTab } from './browser.tab.js';
import { snapshot } from './content.actions.js';
import { describeTarget, locate, requireOneTarget, waitForElement, type ElementTarget } from './element.locator.js';
import { clickElement, focusElement, hoverElement, pressKey, selectOptions, typeInto } from './input.actions.js';
import {
  ActionOutput,
  ClickInput,
  PressInput,
  ScrollInput,
  ScrollOutput,
  SelectInput,
  SelectOutput,
  SnapshotOutput,
  TargetInput,
  TypeInput,
  WaitInput,
  WaitOutput,
} from './interaction.dto.js';
import { pageState } from './navigation.actions.js';
import { EmptyInput } from './navigation.dto.js';
import { SCROLL_BY, SCROLL_INTO_VIEW } from './page.scripts.js';

async function after(tab: BrowserTab): Promise<{ url: string; title: string }> {
  const { url, title } = await pageState(tab);
  return { url, title };
}

function target(input: ElementTarget): ElementTarget {
  return { ...(input.ref ? { ref: input.ref } : {}), ...(input.selector ? { selector: input.selector } : {}) };
}

const TARGET_NOTE =
  ' Name the element by ref (from the latest browser.snapshot; a stale ref gets a 409 asking for a new snapshot) ' +
  'or by CSS selector; it is waited for until visible, up to timeoutMs (then 404).';

export function interactionOperations(deps: BrowserDeps): OperationDefinition[] {
  const { settings } = deps;
  const actionTimeout = (ms: number | undefined): number => timeoutOf(ms, settings.actionTimeoutMs, settings);
  const write = { readOnly: false, destructive: false, idempotent: false };
  return [
    sandboxOperation({
      id: 'browser.snapshot',
      summary: 'Read the page as an accessibility tree with refs',
      description:
        'The active tab as compact text, one accessible node a line, e.g. `- textbox "Email" [ref=e3]`. Interactive ' +
        'nodes carry refs that click, type, hover, select and press take. Refs last until the page changes or navigates.',
      input: EmptyInput,
      output: SnapshotOutput,
      hints: { readOnly: true, idempotent: true },
      http: { method: 'POST', path: 'browser/snapshot' },
      handler: (ctx) =>
        onActiveTab(deps, ctx, 'take a snapshot', async (tab) => ({
          ...(await after(tab)),
          ...(await snapshot(tab, settings.maxContentBytes)),
        })),
    }),
    sandboxOperation({
      id: 'browser.click',
      summary: 'Click an element',
      description: `Scrolls the element into view and clicks its centre.${TARGET_NOTE}`,
      input: ClickInput,
      output: ActionOutput,
      hints: write,
      http: { method: 'POST', path: 'browser/click' },
      handler: (ctx, input) =>
        onActiveTab(deps, ctx, 'click', async (tab) => {
          const el = await locate(tab, target(input), actionTimeout(input.timeoutMs), 'click');
          await clickElement(tab, el, describeTarget(input), input.doubleClick ? 2 : 1);
          return after(tab);
        }),
    }),
    sandboxOperation({
      id: 'browser.hover',
      summary: 'Move the mouse over an element',
      description: `Scrolls the element into view and moves the pointer to its centre.${TARGET_NOTE}`,
      input: TargetInput,
      output: ActionOutput,
      hints: write,
      http: { method: 'POST', path: 'browser/hover' },
      handler: (ctx, input) =>
        onActiveTab(deps, ctx, 'hover', async (tab) => {
          const el = await locate(tab, target(input), actionTimeout(input.timeoutMs), 'hover');
          await hoverElement(tab, el, describeTarget(input));
          return after(tab);
        }),
    }),
    sandboxOperation({
      id: 'browser.type',
      summary: 'Type text into a field',
      description: `Focuses the field, replaces its contents with text, and with submit presses Enter.${TARGET_NOTE}`,
      input: TypeInput,
      output: ActionOutput,
      hints: write,
      http: { method: 'POST', path: 'browser/type' },
      handler: (ctx, input) =>
        onActiveTab(deps, ctx, 'type', async (tab) => {
          const el = await locate(tab, target(input), actionTimeout(input.timeoutMs), 'type');
          await typeInto(tab, el, describeTarget(input), input.text);
          if (input.submit) await pressKey(tab, 'Enter');
          return after(tab);
        }),
    }),
    sandboxOperation({
      id: 'browser.select',
      summary: 'Choose options of a <select>',
      description: `Selects the options whose value or label is in values, and fires input and change.${TARGET_NOTE}`,
      input: SelectInput,
      output: SelectOutput,
      hints: write,
      http: { method: 'POST', path: 'browser/select' },
      handler: (ctx, input) =>
        onActiveTab(deps, ctx, 'select', async (tab) => {
          const el = await locate(tab, target(input), actionTimeout(input.timeoutMs), 'select');
          const selected = await selectOptions(tab, el, input.values);
          return { ...(await after(tab)), selected };
        }),
    }),
    sandboxOperation({
      id: 'browser.press',
      summary: 'Press a key',
      description:
        'Presses one key (Enter, Tab, Escape, ArrowDown, a character, optionally with modifiers such as Control+a) ' +
        'on the focused element, or on ref/selector after focusing it.',
      input: PressInput,
      output: ActionOutput,
      hints: write,
      http: { method: 'POST', path: 'browser/press' },
      handler: (ctx, input) =>
        onActiveTab(deps, ctx, 'press a key', async (tab) => {
          if (input.ref || input.selector) {
            const el = await locate(tab, target(input), actionTimeout(input.timeoutMs), 'press');
            await focusElement(tab, el);
          }
          await pressKey(tab, input.key);
          return after(tab);
        }),
    }),
    sandboxOperation({
      id: 'browser.scroll',
      summary: 'Scroll the page, or an element into view',
      input: ScrollInput,
      output: ScrollOutput,
      hints: write,
      http: { method: 'POST', path: 'browser/scroll' },
      handler: (ctx, input) =>
        onActiveTab(deps, ctx, 'scroll', async (tab) => {
          if (input.ref || input.selector) {
            requireOneTarget(input, 'scroll');
            const on = input.ref
              ? await tab.resolveRef(input.ref)
              : await waitForElement(tab, target(input), 'attached', actionTimeout(input.timeoutMs));
            await tab.value(SCROLL_INTO_VIEW, [], on);
          } else if (input.x === undefined && input.y === undefined) {
            throw new InvalidArgumentError('scroll: give x and/or y (pixels), or ref/selector to scroll into view');
          } else {
            await tab.value(SCROLL_BY, [input.x ?? 0, input.y ?? 0]);
          }
          const state = await pageState(tab);
          return {
            url: state.url,
            title: state.title,
            scrollX: Math.round(state.scrollX),
            scrollY: Math.round(state.scrollY),
          };
        }),
    }),
    sandboxOperation({
      id: 'browser.wait',
      summary: 'Wait for an element or text to appear or vanish',
      description:
        'Waits until ref/selector is visible (or hidden, with state: hidden), or until text appears in (or vanishes ' +
        'from) the page, up to timeoutMs; then 404 naming what never happened.',
      input: WaitInput,
      output: WaitOutput,
      hints: { readOnly: true, idempotent: true },
      http: { method: 'POST', path: 'browser/wait' },
      handler: (ctx, input) =>
        onActiveTab(deps, ctx, 'wait', async (tab) => {
          const given = [input.ref, input.selector, input.text].filter((v) => v !== undefined).length;
          if (given !== 1) throw new InvalidArgumentError('wait: give exactly one of ref, selector or text');
          const state = input.state ?? 'visible';
          await waitForElement(
            tab,
            { ...target(input), ...(input.text !== undefined ? { text: input.text } : {}) },
            state,
            actionTimeout(input.timeoutMs),
          );
          return { ...(await after(tab)), state };
        }),
    }),
  ];
}
