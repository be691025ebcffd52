import { describe, expect, it } from '@jest/globals';
import { EgressAllowlist } from './egress.allowlist.js';
import { EgressPolicy } from './egress.policy.js';

describe('EgressAllowlist', () => {
  const list = new EgressAllowlist(['10.1.2.0/24', '127.0.0.1:8081', '[::1]:9000', 'wiki.internal', 'fd00::/8']);

  it('opens CIDRs, IPs with a port, and host names', () => {
    expect(list.allows('10.1.2.77', '10.1.2.77', 80)).toBe('10.1.2.0/24');
    expect(list.allows('10.1.3.1', '10.1.3.1', 80)).toBeUndefined();
    expect(list.allows('127.0.0.1', '127.0.0.1', 8081)).toBe('127.0.0.1:8081');
    expect(list.allows('127.0.0.1', '127.0.0.1', 8082)).toBeUndefined();
    expect(list.allows('::1', '[::1]', 9000)).toBe('[::1]:9000');
    expect(list.allows('10.9.9.9', 'wiki.internal.', 443)).toBe('wiki.internal');
    expect(list.allows('fd00::5', 'x', 1)).toBe('fd00::/8');
  });

  it('names the entry that does not parse', () => {
    expect(() => new EgressAllowlist(['10.0.0.0/8', 'not a host'])).toThrow('options.allowPrivileged[1]:');
    expect(() => new EgressAllowlist(['127.0.0.1:0'])).toThrow('options.allowPrivileged[0]: "127.0.0.1:0": the port');
  });
});

describe('EgressPolicy', () => {
  const policy = new EgressPolicy(new EgressAllowlist(['127.0.0.1:8081']));

  it('refuses with a 403 naming the address class and the option that allows it', () => {
    expect(() => policy.check('127.0.0.1', 'example.test', 80)).toThrow(
      /Refused to connect to example.test \(127.0.0.1\): a loopback address\. .*allowPrivileged/,
    );
    try {
      policy.check('169.254.169.254', '169.254.169.254', 80);
    } catch (err) {
      expect((err as { status: number }).status).toBe(403);
      expect((err as Error).message).toContain('a metadata address');
    }
    expect(() => policy.check('127.0.0.1', '127.0.0.1', 8081)).not.toThrow();
    expect(() => policy.check('93.184.215.14', 'example.com', 443)).not.toThrow();
  });

  it('refuses localhost names before any lookup', () => {
    expect(() => policy.checkName('localhost.', 80)).toThrow('a loopback name');
    expect(() => policy.checkName('a.localhost', 80)).toThrow('a loopback name');
    expect(() => policy.checkName('example.com', 80)).not.toThrow();
  });
});
