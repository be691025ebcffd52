import { describe, it, expect, jest } from '@jest/globals';
import { onCredentialsExpiry } from './credentials-expiry.js';

describe('onCredentialsExpiry', () => {
  it('fires at the expiry, in steps for expiries beyond the longest timer, and can be cancelled', () => {
    jest.useFakeTimers({ now: 0 });
    try {
      const fired: string[] = [];
      onCredentialsExpiry({ id: 'a', scopes: [], expiresAt: 1000 }, () => fired.push('soon'));
      const cancel = onCredentialsExpiry({ id: 'b', scopes: [], expiresAt: 1500 }, () => fired.push('cancelled'));
      const far = 40 * 24 * 3600 * 1000; // past setTimeout's 24.8-day limit
      onCredentialsExpiry({ id: 'c', scopes: [], expiresAt: far }, () => fired.push('far'));
      onCredentialsExpiry({ id: 'd', scopes: [] }, () => fired.push('never'));
      cancel();
      jest.advanceTimersByTime(999);
      expect(fired).toEqual([]);
      jest.advanceTimersByTime(1);
      expect(fired).toEqual(['soon']);
      jest.advanceTimersByTime(far - 1001);
      expect(fired).toEqual(['soon']);
      jest.advanceTimersByTime(1);
      expect(fired).toEqual(['soon', 'far']);
    } finally {
      jest.useRealTimers();
    }
  });

  it('fires asynchronously for credentials that already expired', async () => {
    let fired = false;
    onCredentialsExpiry({ id: 'a', scopes: [], expiresAt: Date.now() - 1 }, () => (fired = true));
    expect(fired).toBe(false);
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(fired).toBe(true);
  });
});
