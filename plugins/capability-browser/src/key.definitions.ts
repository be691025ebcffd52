import { InvalidArgumentError } from '@sandboxed/plugin-sdk';

export interface KeyStroke {
  key: string;
  code: string;
  keyCode: number;
  /** What the key types, if anything. */
  text?: string;
  /** CDP modifier bits: Alt 1, Control 2, Meta 4, Shift 8. */
  modifiers: number;
}

const NAMED: Record<string, { code: string; keyCode: number; text?: string }> = {
  Enter: { code: 'Enter', keyCode: 13, text: '\r' },
  Tab: { code: 'Tab', keyCode: 9 },
  Escape: { code: 'Escape', keyCode: 27 },
  Backspace: { code: 'Backspace', keyCode: 8 },
  Delete: { code: 'Delete', keyCode: 46 },
  Space: { code: 'Space', keyCode: 32, text: ' ' },
  ArrowUp: { code: 'ArrowUp', keyCode: 38 },
  ArrowDown: { code: 'ArrowDown', keyCode: 40 },
  ArrowLeft: { code: 'ArrowLeft', keyCode: 37 },
  ArrowRight: { code: 'ArrowRight', keyCode: 39 },
  Home: { code: 'Home', keyCode: 36 },
  End: { code: 'End', keyCode: 35 },
  PageUp: { code: 'PageUp', keyCode: 33 },
  PageDown: { code: 'PageDown', keyCode: 34 },
  Insert: { code: 'Insert', keyCode: 45 },
  ...Object.fromEntries(Array.from({ length: 12 }, (_, i) => [`F${i + 1}`, { code: `F${i + 1}`, keyCode: 112 + i }])),
};
const MODIFIERS: Record<string, number> = { Alt: 1, Control: 2, Ctrl: 2, Meta: 4, Cmd: 4, Shift: 8 };

function single(char: string, modifiers: number): KeyStroke {
  const upper = char.toUpperCase();
  if (/^[a-z]$/i.test(char)) {
    return { key: char, code: `Key${upper}`, keyCode: upper.charCodeAt(0), text: char, modifiers };
  }
  if (/^[0-9]$/.test(char))
    return { key: char, code: `Digit${char}`, keyCode: char.charCodeAt(0), text: char, modifiers };
  return { key: char, code: '', keyCode: 0, text: char, modifiers };
}

/** `Enter`, `a`, `Control+a`, `Shift+Tab`: the key press to dispatch, or a 400 naming the known keys. */
export function parseKey(spec: string): KeyStroke {
  const parts = spec === '+' ? ['+'] : spec.split('+');
  const name = parts.pop() ?? '';
  let modifiers = 0;
  for (const m of parts) {
    const bit = Object.hasOwn(MODIFIERS, m) ? MODIFIERS[m] : undefined;
    if (bit === undefined) {
      throw new InvalidArgumentError(`key: unknown modifier "${m}" (use Alt, Control, Meta or Shift, e.g. Control+a)`);
    }
    modifiers |= bit;
  }
  const named = Object.hasOwn(NAMED, name) ? NAMED[name] : undefined;
  if (named) {
    // A modified key types nothing (Control+Enter is a shortcut, not a newline).
    const text = modifiers & ~8 ? undefined : named.text;
    return {
      key: name === 'Space' ? ' ' : name,
      code: named.code,
      keyCode: named.keyCode,
      modifiers,
      ...(text ? { text } : {}),
    };
  }
  if ([...name].length === 1) {
    const stroke = single(name, modifiers);
    return modifiers & ~8 ? { ...stroke, text: undefined } : stroke;
  }
  throw new InvalidArgumentError(
    `key: unknown key "${name.slice(0, 40)}"; use one character or one of ${Object.keys(NAMED).join(', ')}, optionally with modifiers (Shift+Tab)`,
  );
}
