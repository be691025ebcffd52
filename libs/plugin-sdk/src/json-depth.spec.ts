import { describe, it, expect } from '@jest/globals';
import { assertJsonDepth, jsonDepthExceeds, MAX_JSON_DEPTH } from './json-depth.js';

const deep = (n: number): string => `${'['.repeat(n)}${']'.repeat(n)}`;

describe('jsonDepthExceeds', () => {
  it('counts object and array nesting up to the limit', () => {
    expect(jsonDepthExceeds(deep(MAX_JSON_DEPTH))).toBe(false);
    expect(jsonDepthExceeds(deep(MAX_JSON_DEPTH + 1))).toBe(true);
    expect(jsonDepthExceeds('{"a":{"b":[1,{"c":2}]},"d":[[]]}', 4)).toBe(false);
    expect(jsonDepthExceeds('{"a":{"b":[1,{"c":2}]},"d":[[]]}', 3)).toBe(true);
  });

  it('ignores brackets inside strings, escaped quotes included', () => {
    const text = JSON.stringify({ s: `"\\${'{['.repeat(500)}`, t: ['\\"[['] });
    expect(jsonDepthExceeds(text, 2)).toBe(false);
  });

  it('handles a million levels without recursion', () => {
    expect(jsonDepthExceeds(deep(1_000_000))).toBe(true);
  });

  it('refuses with a 400 that names the limit', () => {
    expect(() => assertJsonDepth(deep(100), 'Body')).toThrow(/Body is nested deeper than 64 levels/);
    expect(() => assertJsonDepth('{"a":1}')).not.toThrow();
  });
});
