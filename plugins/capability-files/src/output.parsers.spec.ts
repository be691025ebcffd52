import { describe, expect, it } from '@jest/globals';
import { parseFindRecords, splitNul } from './find-record.parser.js';
import { parseGrepOutput } from './grep-output.parser.js';

describe('parseFindRecords', () => {
  it('splits type/size/mtime/path records, keeping slashes in the path', () => {
    const buf = Buffer.from('f/12/1700000000.5/a/b c.txt\0d/4096/1700000000.0000000000/dir\0l/3/1.0/we/ird/name\0');
    expect(parseFindRecords(buf)).toEqual([
      { type: 'file', size: 12, mtime: '2023-11-14T22:13:20.500Z', relative: 'a/b c.txt' },
      { type: 'directory', size: 4096, mtime: '2023-11-14T22:13:20.000Z', relative: 'dir' },
      { type: 'symlink', size: 3, mtime: '1970-01-01T00:00:01.000Z', relative: 'we/ird/name' },
    ]);
  });

  it('drops a record cut off at the byte cap and maps unknown types to other', () => {
    expect(parseFindRecords(Buffer.from('p/0/1/fifo\0f/1/1/half'))).toEqual([
      { type: 'other', size: 0, mtime: '1970-01-01T00:00:01.000Z', relative: 'fifo' },
    ]);
    expect(splitNul(Buffer.alloc(0))).toEqual([]);
  });
});

describe('parseGrepOutput', () => {
  it('parses file NUL line:text records, file names with newlines and colons included', () => {
    const buf = Buffer.from('/w/a.ts\x002:foo: bar\n/w/we\nird:x\x0010:a:b\n/w/cut\x003:no newline');
    expect(parseGrepOutput(buf)).toEqual([
      { file: '/w/a.ts', line: 2, text: 'foo: bar' },
      { file: '/w/we\nird:x', line: 10, text: 'a:b' },
    ]);
  });

  it('cuts long lines to 1000 characters without splitting a character', () => {
    const [match] = parseGrepOutput(Buffer.from(`/f\x001:${'😀'.repeat(1500)}\n`));
    expect([...match!.text]).toHaveLength(1000);
  });
});
