/** The parts of a CDP `Accessibility.AXNode` the snapshot reads. */
export interface AxNode {
  nodeId: string;
  ignored: boolean;
  role?: { value?: unknown };
  name?: { value?: unknown };
  value?: { value?: unknown };
  properties?: Array<{ name: string; value: { value?: unknown } }>;
  childIds?: string[];
  backendDOMNodeId?: number;
}

export interface AxSnapshot {
  text: string;
  /** `e12` → the DOM node's backend id, for the actions that take a ref. */
  refs: Map<string, number>;
  truncated: boolean;
}

/** Roles an agent acts on; each gets a ref. */
const INTERACTIVE = new Set([
  'button',
  'link',
  'textbox',
  'searchbox',
  'checkbox',
  'radio',
  'combobox',
  'listbox',
  'option',
  'menuitem',
  'menuitemcheckbox',
  'menuitemradio',
  'tab',
  'switch',
  'slider',
  'spinbutton',
  'treeitem',
  'textarea',
]);
/** Containers without meaning of their own: their children stand in their place. */
const TRANSPARENT = new Set([
  'none',
  'generic',
  'presentation',
  'InlineTextBox',
  'LineBreak',
  'RootWebArea',
  'ignored',
]);
const SHOWN_PROPERTIES = ['checked', 'selected', 'expanded', 'pressed', 'disabled', 'required', 'level'];
const MAX_NAME = 200;

function str(value: unknown): string {
  if (value === undefined || value === null) return '';
  return String(value).replace(/\s+/g, ' ').trim();
}

function quoted(text: string): string {
  const cut = text.length > MAX_NAME ? `${text.slice(0, MAX_NAME)}…` : text;
  return JSON.stringify(cut);
}

function flags(node: AxNode): string[] {
  const out: string[] = [];
  for (const p of node.properties ?? []) {
    if (!SHOWN_PROPERTIES.includes(p.name)) continue;
    const v = p.value?.value;
    if (v === false || v === undefined || v === 'false') continue;
    out.push(v === true || v === 'true' ? p.name : `${p.name}=${str(v)}`);
  }
  return out;
}

function focusable(node: AxNode): boolean {
  return (node.properties ?? []).some((p) => p.name === 'focusable' && p.value?.value === true);
}

/**
 * The page as agents read it: one line per meaningful node, indented by depth, e.g.
 * `- textbox "Email" [required] [ref=e3]`, `- text: Hello`. Interactive (or focusable) nodes get
 * a ref (`e1`, `e2`, … in document order) that click/type/hover/select/press accept.
 */
export function buildAxSnapshot(nodes: AxNode[], maxBytes: number): AxSnapshot {
  const byId = new Map(nodes.map((n) => [n.nodeId, n]));
  const childOf = new Set(nodes.flatMap((n) => n.childIds ?? []));
  const roots = nodes.filter((n) => !childOf.has(n.nodeId));
  const refs = new Map<string, number>();
  const lines: string[] = [];
  let size = 0;
  let truncated = false;

  const emit = (depth: number, line: string): boolean => {
    if (truncated) return false;
    const full = `${'  '.repeat(depth)}${line}`;
    const bytes = Buffer.byteLength(full) + 1;
    if (size + bytes > maxBytes) {
      truncated = true;
      return false;
    }
    lines.push(full);
    size += bytes;
    return true;
  };

  const visit = (node: AxNode, depth: number, parentName: string, seen: Set<string>): void => {
    if (truncated || seen.has(node.nodeId)) return;
    seen.add(node.nodeId);
    const role = str(node.role?.value);
    const name = str(node.name?.value);
    const children = (node.childIds ?? []).map((id) => byId.get(id)).filter((n): n is AxNode => !!n);
    if (role === 'StaticText') {
      if (name && name !== parentName) emit(depth, `- text: ${quoted(name)}`);
      return;
    }
    const interactive = !node.ignored && (INTERACTIVE.has(role) || (focusable(node) && role !== 'RootWebArea'));
    if (node.ignored || (TRANSPARENT.has(role) && !interactive)) {
      for (const child of children) visit(child, depth, parentName, seen);
      return;
    }
    let line = `- ${role || 'node'}`;
    if (name) line += ` ${quoted(name)}`;
    const value = str(node.value?.value);
    if (value && value !== name) line += `: ${quoted(value)}`;
    for (const f of flags(node)) line += ` [${f}]`;
    const backendId = interactive ? node.backendDOMNodeId : undefined;
    const ref = backendId !== undefined ? `e${refs.size + 1}` : undefined;
    if (ref) line += ` [ref=${ref}]`;
    if (emit(depth, line) && ref) refs.set(ref, backendId!);
    for (const child of children) visit(child, depth + 1, name, seen);
  };

  const seen = new Set<string>();
  for (const root of roots) visit(root, 0, '', seen);
  return { text: lines.join('\n'), refs, truncated };
}
