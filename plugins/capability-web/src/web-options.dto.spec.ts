import { describe, expect, it } from '@jest/globals';
import { resolveWebOptions } from './web-options.dto.js';

describe('capability-web options', () => {
  it('has defaults: 10 MiB and 60 s limits, no search provider, nothing allowlisted', () => {
    const s = resolveWebOptions();
    expect([s.maxBytesLimit, s.maxTimeoutMs, s.search]).toEqual([10 * 1024 * 1024, 60_000, undefined]);
    expect(s.allowlist.allows('10.0.0.1', '10.0.0.1', 80)).toBeUndefined();
  });

  it('resolves search and trims the base URL', () => {
    expect(resolveWebOptions({ search: { provider: 'searxng', url: 'http://searx:8080/' } }).search).toEqual({
      provider: 'searxng',
      url: 'http://searx:8080',
      timeoutMs: 10_000,
    });
  });

  it('names the key that is wrong', () => {
    expect(() => resolveWebOptions({ allowPrivileged: ['10.0.0.0/33'] })).toThrow('options.allowPrivileged[0]');
    expect(() => resolveWebOptions({ search: { provider: 'searxng', url: 'ftp://x' } })).toThrow('options.search.url');
    expect(() => resolveWebOptions({ search: { provider: 'searxng', url: 'http://x', key: 1 } as never })).toThrow(
      'options.search.key: unknown key',
    );
  });
});
