import { describe, expect, it } from '@jest/globals';
import { ForbiddenError, InvalidArgumentError } from '@sandboxed/plugin-sdk';
import { isWithin, resolveLexical, SandboxPathResolver } from './sandbox-path.resolver.js';

describe('resolveLexical', () => {
  it('resolves relative paths against the workdir and normalizes', () => {
    expect(resolveLexical('/workspace', 'a/./b/../c.txt')).toBe('/workspace/a/c.txt');
    expect(resolveLexical('/workspace', '.')).toBe('/workspace');
    expect(resolveLexical('/workspace/', '/workspace/x/')).toBe('/workspace/x');
    expect(resolveLexical('/workspace', 'sub/../../workspace/y')).toBe('/workspace/y');
  });

  it('lets absolute paths and `..` chains land anywhere in the sandbox root, never above it', () => {
    expect(resolveLexical('/workspace', '/tmp/x')).toBe('/tmp/x');
    expect(resolveLexical('/workspace', '../../../../etc/hosts')).toBe('/etc/hosts');
    expect(resolveLexical('/workspace', '/workspace/../x')).toBe('/x');
    expect(resolveLexical('/workspace', '/../..')).toBe('/');
    expect(resolveLexical('/workspace', '..', '/')).toBe('/');
  });

  it('inside a confining boundary, refuses anything that lands outside it, naming the path', () => {
    for (const path of ['..', '../../etc/passwd', '/etc/passwd', '/workspace2/x', '/workspace/../x']) {
      expect(() => resolveLexical('/workspace', path, '/workspace')).toThrow(ForbiddenError);
      expect(() => resolveLexical('/workspace', path, '/workspace')).toThrow(path);
    }
    expect(resolveLexical('/workspace', 'a/../b', '/workspace')).toBe('/workspace/b');
  });

  it('refuses empty paths and NUL bytes', () => {
    expect(() => resolveLexical('/workspace', '')).toThrow(InvalidArgumentError);
    expect(() => resolveLexical('/workspace', 'a\0b')).toThrow(InvalidArgumentError);
    expect(() => resolveLexical('/workspace', '/tmp/\0')).toThrow(InvalidArgumentError);
  });
});

describe('isWithin', () => {
  it('matches whole path segments only', () => {
    expect(isWithin('/workspace', '/workspace')).toBe(true);
    expect(isWithin('/workspace', '/workspace/a')).toBe(true);
    expect(isWithin('/workspace', '/workspace-evil')).toBe(false);
    expect(isWithin('/workspace', '/')).toBe(false);
  });
});

describe('SandboxPathResolver.toCallerPath', () => {
  it('maps real child paths back under the path the caller used', () => {
    const base = { path: '/workspace/link', real: '/workspace/target', isRoot: false };
    expect(SandboxPathResolver.toCallerPath(base, '/workspace/target/a/b')).toBe('/workspace/link/a/b');
    expect(SandboxPathResolver.toCallerPath(base, '/workspace/target')).toBe('/workspace/link');
    expect(SandboxPathResolver.toCallerPath(base, '/workspace/targetx')).toBe('/workspace/targetx');
  });
});
