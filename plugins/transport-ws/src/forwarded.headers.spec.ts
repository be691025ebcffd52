import { describe, it, expect } from '@jest/globals';
import type { IncomingMessage } from 'node:http';
import { proxiedRequestHeaders, proxiedResponseHeaders, proxiedUpgradeHead } from './forwarded.headers.js';

const req = (headers: Record<string, string>, raw: string[] = []): IncomingMessage =>
  ({ headers, rawHeaders: raw, method: 'GET', socket: { remoteAddress: '10.0.0.1' } }) as unknown as IncomingMessage;

describe('forwarded headers', () => {
  it('drops credentials and hop-by-hop headers, and says where the request came from', () => {
    const out = proxiedRequestHeaders(
      req({
        authorization: 'Bearer k',
        'x-api-key': 'k',
        connection: 'keep-alive, x-hop',
        'x-hop': '1',
        host: 'gw:8080',
        accept: '*/*',
        'x-forwarded-prefix': '/spoofed',
      }),
      '/v1/sandboxes/s/ports/80',
    );
    expect(out).toEqual({
      host: 'gw:8080',
      accept: '*/*',
      'x-forwarded-for': '10.0.0.1',
      'x-forwarded-proto': 'http',
      'x-forwarded-host': 'gw:8080',
      'x-forwarded-prefix': '/v1/sandboxes/s/ports/80',
      connection: 'close',
    });
  });

  it('keeps the upgrade handshake, minus credentials', () => {
    const head = proxiedUpgradeHead(
      req({}, ['Host', 'gw', 'Upgrade', 'websocket', 'Authorization', 'Bearer k', 'Sec-WebSocket-Key', 'abc']),
      '/socket?x=1',
      '/p',
    );
    expect(
      head.startsWith('GET /socket?x=1 HTTP/1.1\r\nHost: gw\r\nUpgrade: websocket\r\nSec-WebSocket-Key: abc\r\n'),
    ).toBe(true);
    expect(head).not.toMatch(/Authorization/i);
    expect(head.endsWith('x-forwarded-prefix: /p\r\n\r\n')).toBe(true);
  });

  it('keeps redirects under the prefix', () => {
    expect(proxiedResponseHeaders({ location: '/next', 'transfer-encoding': 'chunked' }, '/p')).toEqual({
      location: '/p/next',
    });
    expect(proxiedResponseHeaders({ location: '/p/next' }, '/p').location).toBe('/p/next');
    expect(proxiedResponseHeaders({ location: 'https://example.com/' }, '/p').location).toBe('https://example.com/');
    expect(proxiedResponseHeaders({ location: '//evil.example/' }, '/p').location).toBe('//evil.example/');
  });
});
