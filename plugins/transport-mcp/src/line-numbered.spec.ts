import { describe, expect, it } from '@jest/globals';
import { lineWindow, MAX_LINE_CHARS, splitLines } from './line-numbered.js';

describe('lineWindow', () => {
  it('numbers lines like cat -n, from a 1-based offset, at most limit of them', () => {
    const w = lineWindow('a\nb\nc\nd\n', 2, 2);
    expect(w.text).toBe('     2\tb\n     3\tc');
    expect(w).toMatchObject({ first: 2, last: 3, total: 4, cut: 0 });
  });

  it('treats offset 0 as the first line and shows what is left at the end', () => {
    expect(lineWindow('x\ny', 0, 10)).toMatchObject({ text: '     1\tx\n     2\ty', first: 1, last: 2, total: 2 });
    expect(lineWindow('x\ny', 2, 10).text).toBe('     2\ty');
  });

  it('is empty past the end and for an empty file', () => {
    expect(lineWindow('x\n', 5, 10)).toMatchObject({ text: '', first: 0, last: 0, total: 1 });
    expect(lineWindow('', 1, 10)).toMatchObject({ text: '', total: 0 });
  });

  it('cuts long lines and strips CR of CRLF endings', () => {
    const w = lineWindow(`${'z'.repeat(MAX_LINE_CHARS + 5)}\r\nshort\r\n`, 1, 10);
    expect(w.cut).toBe(1);
    expect(w.text).toContain(`… [line cut at ${MAX_LINE_CHARS} characters]`);
    expect(w.text.endsWith('     2\tshort')).toBe(true);
    expect(splitLines('a\r\nb')).toEqual(['a', 'b']);
  });
});
