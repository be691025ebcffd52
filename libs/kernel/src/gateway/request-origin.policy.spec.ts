import { describe, expect, it } from '@jest/globals';
import { hostAllowed, hostnameOf, originAllowed } from './request-origin.policy.js';

describe('hostnameOf', () => {
  it('strips ports and brackets', () => {
    expect(hostnameOf('localhost:8080')).toBe('localhost');
    expect(hostnameOf('[::1]:8080')).toBe('::1');
    expect(hostnameOf('Example.COM')).toBe('example.com');
  });
});

describe('hostAllowed', () => {
  it('allows loopback names, and only them on a loopback socket', () => {
    expect(hostAllowed('127.0.0.1:8080', '127.0.0.1', [])).toBe(true);
    expect(hostAllowed('localhost:8080', '::ffff:127.0.0.1', [])).toBe(true);
    expect(hostAllowed('[::1]:8080', '::1', [])).toBe(true);
    expect(hostAllowed('evil.example:8080', '127.0.0.1', [])).toBe(false);
    expect(hostAllowed(undefined, '127.0.0.1', [])).toBe(false);
  });

  it('allows any host on other interfaces unless allowedHosts is set', () => {
    expect(hostAllowed('gw.example.com', '10.0.0.5', [])).toBe(true);
    expect(hostAllowed('gw.example.com', '10.0.0.5', ['gw.example.com'])).toBe(true);
    expect(hostAllowed('gw.example.com:8443', '10.0.0.5', ['gw.example.com:8443'])).toBe(true);
    expect(hostAllowed('other.example.com', '10.0.0.5', ['gw.example.com'])).toBe(false);
    expect(hostAllowed('gw.example.com', '127.0.0.1', ['gw.example.com'])).toBe(true);
  });
});

describe('originAllowed', () => {
  it('allows no Origin, the same origin, loopback origins and configured ones', () => {
    expect(originAllowed(undefined, 'localhost:8080', [])).toBe(true);
    expect(originAllowed('http://localhost:8080', 'localhost:8080', [])).toBe(true);
    expect(originAllowed('http://127.0.0.1:3000', 'localhost:8080', [])).toBe(true);
    expect(originAllowed('https://gw.example.com', 'gw.example.com', [])).toBe(true);
    expect(originAllowed('https://app.example.com', 'gw.example.com', ['https://app.example.com/'])).toBe(true);
    expect(originAllowed('https://anything.example', 'gw.example.com', ['*'])).toBe(true);
  });

  it('refuses foreign and null origins', () => {
    expect(originAllowed('https://evil.example', 'localhost:8080', [])).toBe(false);
    expect(originAllowed('null', 'localhost:8080', [])).toBe(false);
    expect(originAllowed('https://evil.example', 'gw.example.com', ['https://app.example.com'])).toBe(false);
    expect(originAllowed('null', 'gw.example.com', ['*'])).toBe(false);
    expect(originAllowed('file://', 'gw.example.com', ['*'])).toBe(false);
    expect(originAllowed('not a url', 'localhost:8080', [])).toBe(false);
    expect(originAllowed('http://localhost.evil.example', 'localhost:8080', [])).toBe(false);
  });
});
