import { describe, expect, it } from '@jest/globals';
import { fileSystemBoundary, gatewayMountNamespace } from './sandbox-root.policy.js';

describe('fileSystemBoundary', () => {
  const GATEWAY = 'mnt:[4026531832]';

  it('is the whole root when the files commands run in a mount namespace of their own', () => {
    expect(fileSystemBoundary('/workspace', 'mnt:[4026532180]', GATEWAY)).toEqual({ root: '/', confined: false });
  });

  it("is the workdir when they run in the gateway's own mount namespace (no sandbox root: isolation none)", () => {
    expect(fileSystemBoundary('/data/abc/workspace', GATEWAY, GATEWAY)).toEqual({
      root: '/data/abc/workspace',
      confined: true,
    });
  });

  it('is the workdir when either namespace is unknown (fails closed)', () => {
    expect(fileSystemBoundary('/workspace', undefined, GATEWAY)).toMatchObject({ root: '/workspace', confined: true });
    expect(fileSystemBoundary('/workspace', '', GATEWAY)).toMatchObject({ root: '/workspace', confined: true });
    expect(fileSystemBoundary('/workspace', 'mnt:[1]', undefined)).toMatchObject({
      root: '/workspace',
      confined: true,
    });
    expect(fileSystemBoundary('/workspace', 'garbage', GATEWAY)).toMatchObject({ root: '/workspace', confined: true });
  });

  it("reads the gateway's own mount namespace", () => {
    expect(gatewayMountNamespace()).toMatch(/^mnt:\[\d+\]$/);
  });
});
