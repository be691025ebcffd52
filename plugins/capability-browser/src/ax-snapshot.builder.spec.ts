import { describe, expect, it } from '@jest/globals';
import { buildAxSnapshot, type AxNode } from './ax-snapshot.builder.js';

/** A CDP AXNode as Accessibility.getFullAXTree answers it (only the fields the builder reads). */
function ax(
  nodeId: string,
  role: string,
  opts: {
    name?: string;
    value?: string;
    children?: string[];
    backend?: number;
    ignored?: boolean;
    properties?: Record<string, unknown>;
  } = {},
): AxNode {
  return {
    nodeId,
    ignored: opts.ignored ?? false,
    role: { value: role },
    ...(opts.name !== undefined ? { name: { value: opts.name } } : {}),
    ...(opts.value !== undefined ? { value: { value: opts.value } } : {}),
    ...(opts.children ? { childIds: opts.children } : {}),
    ...(opts.backend !== undefined ? { backendDOMNodeId: opts.backend } : {}),
    ...(opts.properties
      ? { properties: Object.entries(opts.properties).map(([name, value]) => ({ name, value: { value } })) }
      : {}),
  };
}

const refsOf = (text: string): string[] => [...text.matchAll(/\[ref=(e\d+)\]/g)].map((m) => m[1]!);

describe('the accessibility snapshot', () => {
  it('gives refs to interactive and focusable nodes only, in document order, each naming its DOM node', () => {
    // The page itself (RootWebArea) is focusable, but it is the frame of everything else: no line, no ref.
    const nodes = [
      ax('1', 'RootWebArea', { name: 'Page', backend: 1, properties: { focusable: true }, children: ['2', '3', '4'] }),
      ax('2', 'heading', { name: 'Title', backend: 2, properties: { level: 1 } }),
      ax('3', 'paragraph', { backend: 3, children: ['5', '6', '7', '8', '9', '10'] }),
      ax('4', 'link', { name: 'Docs', backend: 4 }),
      ax('5', 'button', { name: 'Go', backend: 50 }),
      ax('6', 'textbox', { name: 'Email', backend: 60, properties: { required: true, disabled: false } }),
      ax('7', 'generic', { backend: 70, properties: { focusable: true } }), // <div tabindex=0>
      ax('8', 'image', { name: 'Logo', backend: 80 }),
      ax('9', 'button', { name: 'No DOM node' }), // no backendDOMNodeId: nothing to act on
      ax('10', 'button', { name: 'Hidden', backend: 100, ignored: true }),
    ];
    const snap = buildAxSnapshot(nodes, 10_000);
    expect(snap.text).toBe(
      [
        '- heading "Title" [level=1]',
        '- paragraph',
        '  - button "Go" [ref=e1]',
        '  - textbox "Email" [required] [ref=e2]',
        '  - generic [ref=e3]',
        '  - image "Logo"',
        '  - button "No DOM node"',
        '- link "Docs" [ref=e4]',
      ].join('\n'),
    );
    expect([...snap.refs]).toEqual([
      ['e1', 50],
      ['e2', 60],
      ['e3', 70],
      ['e4', 4],
    ]);
    expect(snap.truncated).toBe(false);
  });

  it('flattens ignored and generic wrappers: their children take their place, at their depth', () => {
    const nodes = [
      ax('1', 'RootWebArea', { name: 'Page', children: ['2'] }),
      ax('2', 'none', { ignored: true, children: ['3'] }),
      ax('3', 'generic', { children: ['4', '6'] }),
      ax('4', 'presentation', { children: ['5'] }),
      ax('5', 'button', { name: 'Deep', backend: 5 }),
      ax('6', 'navigation', { name: 'Main', children: ['7'] }),
      ax('7', 'generic', { ignored: true, children: ['8'] }),
      ax('8', 'link', { name: 'Home', backend: 8 }),
    ];
    const snap = buildAxSnapshot(nodes, 10_000);
    expect(snap.text).toBe(['- button "Deep" [ref=e1]', '- navigation "Main"', '  - link "Home" [ref=e2]'].join('\n'));
    expect(snap.text).not.toMatch(/generic|none|presentation/);
  });

  it('drops text that repeats its parent’s name, and keeps text that says something new', () => {
    const nodes = [
      ax('1', 'RootWebArea', { name: 'Page', children: ['2', '4', '6'] }),
      ax('2', 'heading', { name: 'Sign up', children: ['3'] }),
      ax('3', 'StaticText', { name: 'Sign up' }),
      ax('4', 'paragraph', { children: ['5'] }),
      ax('5', 'StaticText', { name: '  Hello,\n   world  ' }),
      // Through a wrapper the parent is still the link.
      ax('6', 'link', { name: 'Docs', backend: 6, children: ['7'] }),
      ax('7', 'generic', { children: ['8', '9'] }),
      ax('8', 'StaticText', { name: 'Docs' }),
      ax('9', 'StaticText', { name: 'new tab' }),
    ];
    const snap = buildAxSnapshot(nodes, 10_000);
    expect(snap.text).toBe(
      [
        '- heading "Sign up"',
        '- paragraph',
        '  - text: "Hello, world"',
        '- link "Docs" [ref=e1]',
        '  - text: "new tab"',
      ].join('\n'),
    );
  });

  it('shows a field’s value and its states', () => {
    const nodes = [
      ax('1', 'combobox', { name: 'Colour', value: 'Red', backend: 1, children: ['2'] }),
      ax('2', 'option', { name: 'Red', backend: 2, properties: { selected: true, disabled: 'false' } }),
      ax('3', 'checkbox', { name: 'Agree', value: 'Agree', backend: 3, properties: { checked: 'true' } }),
    ];
    expect(buildAxSnapshot(nodes, 10_000).text).toBe(
      [
        '- combobox "Colour": "Red" [ref=e1]',
        '  - option "Red" [selected] [ref=e2]',
        '- checkbox "Agree" [checked] [ref=e3]',
      ].join('\n'),
    );
  });

  it('cut at the size cap, holds exactly the refs of the lines it printed', () => {
    const buttons = Array.from({ length: 50 }, (_, i) =>
      ax(`b${i}`, 'button', { name: `Button ${i}`, backend: 1000 + i }),
    );
    const nodes = [ax('root', 'RootWebArea', { name: 'Many', children: buttons.map((b) => b.nodeId) }), ...buttons];
    const full = buildAxSnapshot(nodes, 1_000_000);
    expect(full.refs.size).toBe(50);

    const maxChars = 300;
    const cut = buildAxSnapshot(nodes, maxChars);
    expect(cut.truncated).toBe(true);
    expect(cut.text.length).toBeLessThanOrEqual(maxChars);
    const lines = cut.text.split('\n');
    // Whole lines only: the cut one is left out, not printed in part.
    expect(full.text.startsWith(cut.text + '\n')).toBe(true);
    const printed = refsOf(cut.text);
    expect(printed.length).toBe(lines.length);
    expect(printed.length).toBeGreaterThan(0);
    expect(printed.length).toBeLessThan(50);
    expect([...cut.refs.keys()]).toEqual(printed);
    for (const ref of printed) expect(cut.refs.get(ref)).toBe(full.refs.get(ref));
  });

  it('prints nothing after the first line that does not fit, not even shorter ones', () => {
    const names = ['One', 'Two', 'x'.repeat(150), 'Four', 'Five'];
    const nodes = [
      ax('root', 'RootWebArea', { children: ['p'] }),
      ax('p', 'paragraph', { children: names.map((_, i) => `b${i}`) }),
      ...names.map((name, i) => ax(`b${i}`, 'button', { name, backend: 10 + i })),
    ];
    const kept = ['- paragraph', '  - button "One" [ref=e1]', '  - button "Two" [ref=e2]'].join('\n');
    const cut = buildAxSnapshot(nodes, kept.length + 1 + 60);
    expect(cut).toMatchObject({ text: kept, truncated: true });
    expect([...cut.refs]).toEqual([
      ['e1', 10],
      ['e2', 11],
    ]);
  });

  it('counts each line’s newline against the cap', () => {
    const nodes = [ax('1', 'button', { name: 'A', backend: 1 }), ax('2', 'button', { name: 'B', backend: 2 })];
    const line = '- button "A" [ref=e1]';
    expect(buildAxSnapshot(nodes, line.length + 1)).toMatchObject({ text: line, truncated: true });
    expect(buildAxSnapshot(nodes, line.length).refs.size).toBe(0);
    expect(buildAxSnapshot(nodes, line.length).text).toBe('');
  });
});
