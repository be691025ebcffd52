import { describe, expect, it } from '@jest/globals';
import { fileContent } from './file-media-type.js';

describe('file content as a resource', () => {
  it('is text when the bytes are UTF-8 without NUL, typed by extension', () => {
    expect(fileContent('/w/a.md', Buffer.from('# é\n'))).toEqual({
      kind: 'text',
      text: '# é\n',
      mimeType: 'text/markdown',
    });
    expect(fileContent('/w/Makefile', Buffer.from('all:\n'))).toMatchObject({ kind: 'text', mimeType: 'text/plain' });
    // An extension of a binary type does not make text binary.
    expect(fileContent('/w/empty.png', Buffer.alloc(0))).toMatchObject({
      kind: 'text',
      text: '',
      mimeType: 'text/plain',
    });
  });

  it('is a blob otherwise, typed by extension only when that is a binary type', () => {
    const bytes = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0xff]);
    expect(fileContent('/w/a.PNG', bytes)).toEqual({ kind: 'blob', bytes, mimeType: 'image/png' });
    expect(fileContent('/w/a.txt', Buffer.from([0x61, 0x00]))).toMatchObject({
      kind: 'blob',
      mimeType: 'application/octet-stream',
    });
    expect(fileContent('/w/latin1.txt', Buffer.from([0xe9]))).toMatchObject({ kind: 'blob' });
  });
});
