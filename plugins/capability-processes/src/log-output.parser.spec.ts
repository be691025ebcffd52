import { describe, it, expect } from '@jest/globals';
import { LogOutputParser } from './log-output.parser.js';

describe('LogOutputParser', () => {
  it('numbers lines from the cursor and tags their stream', () => {
    const p = new LogOutputParser(7);
    expect(p.push('#at 7\no one\ne two\n#idle\n')).toEqual([
      { kind: 'line', line: 7, stream: 'stdout', text: 'one' },
      { kind: 'line', line: 8, stream: 'stderr', text: 'two' },
      { kind: 'idle' },
    ]);
    expect(p.cursor).toBe(9);
  });

  it('counts only complete lines, across chunk boundaries and split UTF-8 characters', () => {
    const p = new LogOutputParser(0);
    const bytes = Buffer.from('#at 0\no caf\u00e9\no half');
    expect(p.push(bytes.subarray(0, 13))).toEqual([]);
    expect(p.push(bytes.subarray(13))).toEqual([{ kind: 'line', line: 0, stream: 'stdout', text: 'caf\u00e9' }]);
    expect(p.cursor).toBe(1);
  });

  it('reports trimmed lines as a gap and jumps the cursor', () => {
    const p = new LogOutputParser(3);
    expect(p.push('#at 3\n#at 10\no x\n#end\n')).toEqual([
      { kind: 'gap', dropped: 7, at: 10 },
      { kind: 'line', line: 10, stream: 'stdout', text: 'x' },
      { kind: 'end' },
    ]);
  });

  it('ignores heartbeats and junk, keeps text with spaces intact', () => {
    const p = new LogOutputParser(0);
    expect(p.push('#at 0\n#hb\nzzz\no  two  spaces \n')).toEqual([
      { kind: 'line', line: 0, stream: 'stdout', text: ' two  spaces ' },
    ]);
  });
});
