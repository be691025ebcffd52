import { describe, it, expect } from '@jest/globals';
import { ExposureCache } from './exposure.cache.js';

describe('ExposureCache', () => {
  it('remembers an exposed port for its ttl, per sandbox', () => {
    const cache = new ExposureCache(2000);
    cache.remember('s1', 8000, 1000);
    expect(cache.has('s1', 8000, 2999)).toBe(true);
    expect(cache.has('s1', 8000, 3000)).toBe(false);
    expect(cache.has('s2', 8000, 1500)).toBe(false);
  });

  it('forgets at once on unexpose, and caches nothing with a zero ttl', () => {
    const cache = new ExposureCache(2000);
    cache.remember('s1', 8000);
    cache.forget('s1', 8000);
    expect(cache.has('s1', 8000)).toBe(false);
    const off = new ExposureCache(0);
    off.remember('s1', 8000);
    expect(off.has('s1', 8000)).toBe(false);
  });
});
