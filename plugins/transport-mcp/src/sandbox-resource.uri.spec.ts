import { describe, expect, it } from '@jest/globals';
import { fileTemplateFor, MalformedResourceUri, parseSandboxFileUri } from './sandbox-resource.uri.js';

describe('sandbox file URIs', () => {
  it('names an absolute path inside the sandbox, percent-decoded', () => {
    expect(parseSandboxFileUri('sandbox://abc/files/workspace/a.txt')).toEqual({
      sandboxId: 'abc',
      path: '/workspace/a.txt',
    });
    expect(parseSandboxFileUri('sandbox://abc/files//etc/hosts')).toEqual({ sandboxId: 'abc', path: '/etc/hosts' });
    expect(parseSandboxFileUri('sandbox://abc/files/my%20dir/%3Fq%23.md')).toEqual({
      sandboxId: 'abc',
      path: '/my dir/?q#.md',
    });
    // `..` is files.read's to resolve, inside the sandbox.
    expect(parseSandboxFileUri('sandbox://abc/files/../../etc/passwd').path).toBe('/../../etc/passwd');
  });

  it.each([
    ['file:///etc/passwd', 'not a sandbox:// URI'],
    ['sandbox://abc/workspace/a.txt', 'not a file of a sandbox'],
    ['sandbox:///files/a.txt', 'names no sandbox'],
    ['sandbox://abc/files/', 'names no file'],
    ['sandbox://abc/files///', 'names no file'],
    ['sandbox://abc/files/%E0%A4%A', 'malformed percent-encoding'],
    ['sandbox://abc/files/a\nb', 'not a file of a sandbox'],
  ])('refuses %j, saying the expected form', (uri, reason) => {
    const parse = () => parseSandboxFileUri(uri);
    expect(parse).toThrow(MalformedResourceUri);
    expect(parse).toThrow(reason);
    expect(parse).toThrow('expected sandbox://{sandbox_id}/files/{+path}');
  });

  it('fills in the sandbox of a bound endpoint', () => {
    expect(fileTemplateFor()).toBe('sandbox://{sandbox_id}/files/{+path}');
    expect(fileTemplateFor('abc')).toBe('sandbox://abc/files/{+path}');
  });
});
