import { describe, expect, it } from '@jest/globals';
import { InvalidArgumentError } from '@sandboxed/plugin-sdk';
import { parseKey } from './key.definitions.js';

function refusal(spec: string): InvalidArgumentError {
  try {
    parseKey(spec);
  } catch (err) {
    expect(err).toBeInstanceOf(InvalidArgumentError);
    return err as InvalidArgumentError;
  }
  throw new Error(`parseKey(${JSON.stringify(spec)}) was accepted`);
}

describe('key names for browser.press', () => {
  it('Enter types a carriage return', () => {
    expect(parseKey('Enter')).toEqual({ key: 'Enter', code: 'Enter', keyCode: 13, text: '\r', modifiers: 0 });
  });

  it('a letter or a digit types itself', () => {
    expect(parseKey('a')).toEqual({ key: 'a', code: 'KeyA', keyCode: 65, text: 'a', modifiers: 0 });
    expect(parseKey('7')).toEqual({ key: '7', code: 'Digit7', keyCode: 55, text: '7', modifiers: 0 });
    expect(parseKey('+')).toMatchObject({ key: '+', text: '+', modifiers: 0 });
  });

  it('Shift+Tab is Tab with the Shift bit, and types nothing', () => {
    const stroke = parseKey('Shift+Tab');
    expect(stroke).toEqual({ key: 'Tab', code: 'Tab', keyCode: 9, modifiers: 8 });
    expect(stroke.text).toBeUndefined();
  });

  it('Control+a is a shortcut: the Control bit and no text', () => {
    const stroke = parseKey('Control+a');
    expect(stroke).toMatchObject({ key: 'a', code: 'KeyA', keyCode: 65, modifiers: 2 });
    expect(stroke.text).toBeUndefined();
    expect(parseKey('Ctrl+a').modifiers).toBe(2);
    expect(parseKey('Control+Enter').text).toBeUndefined();
    expect(parseKey('Control+Shift+Alt+Meta+x').modifiers).toBe(2 | 8 | 1 | 4);
  });

  it('Shift alone still types', () => {
    expect(parseKey('Shift+Enter')).toMatchObject({ modifiers: 8, text: '\r' });
    expect(parseKey('Space')).toMatchObject({ key: ' ', code: 'Space', keyCode: 32, text: ' ' });
  });

  it('refuses an unknown key with a 400 that lists the known ones', () => {
    const err = refusal('Hyper');
    expect(err.status).toBe(400);
    expect(err.message).toMatch(/^key: unknown key "Hyper"; use one character or one of Enter, Tab, Escape/);
    expect(refusal('Control+Foo').message).toMatch(/unknown key "Foo"/);
  });

  it('refuses an unknown modifier with a 400 that names the modifiers', () => {
    const err = refusal('Hyper+x');
    expect(err.status).toBe(400);
    expect(err.message).toBe('key: unknown modifier "Hyper" (use Alt, Control, Meta or Shift, e.g. Control+a)');
    expect(refusal('Control++').status).toBe(400);
  });

  it('finds no key or modifier on Object.prototype', () => {
    expect(refusal('constructor').message).toMatch(/unknown key "constructor"/);
    expect(refusal('toString').message).toMatch(/unknown key "toString"/);
    expect(refusal('constructor+a').message).toMatch(/unknown modifier "constructor"/);
  });
});
