import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from '@jest/globals';
import { publicBaseUrl } from './public-base-url.js';

const req = (headers: Record<string, string>, encrypted = false): IncomingMessage =>
  ({ headers, socket: { encrypted } }) as unknown as IncomingMessage;

describe('publicBaseUrl', () => {
  it('prefers server.publicUrl over anything the request says', () => {
    const r = req({ host: 'evil.example', 'x-forwarded-host': 'evil.example' });
    expect(publicBaseUrl(r, { publicUrl: 'https://Sandboxes.Example.com', trustProxy: true })).toBe(
      'https://sandboxes.example.com',
    );
  });

  it('uses the Host and the connection scheme without a proxy, ignoring forwarded headers', () => {
    const r = req({ host: '127.0.0.1:8080', 'x-forwarded-host': 'evil.example', 'x-forwarded-proto': 'https' });
    expect(publicBaseUrl(r, { trustProxy: false })).toBe('http://127.0.0.1:8080');
    expect(publicBaseUrl(req({ host: 'gw.example:443' }, true), { trustProxy: false })).toBe('https://gw.example');
  });

  it('with trustProxy, takes the first X-Forwarded-Proto and -Host', () => {
    const r = req({
      host: '10.0.0.5:8080',
      'x-forwarded-host': 'gw.example.com, inner',
      'x-forwarded-proto': 'https,http',
    });
    expect(publicBaseUrl(r, { trustProxy: true })).toBe('https://gw.example.com');
    expect(publicBaseUrl(req({ host: '10.0.0.5:8080' }), { trustProxy: true })).toBe('http://10.0.0.5:8080');
  });
});
