import { Readable } from 'node:stream';
import { describe, expect, it } from '@jest/globals';
import * as tar from 'tar-stream';
import { sourceArchive } from './source-archive.builder.js';

async function entriesOf(stream: Readable): Promise<Array<{ name: string; type: string; mode: number; text: string }>> {
  const extract = tar.extract();
  const out: Array<{ name: string; type: string; mode: number; text: string }> = [];
  const done = (async () => {
    for await (const entry of extract) {
      const chunks: Buffer[] = [];
      for await (const c of entry) chunks.push(c as Buffer);
      out.push({
        name: entry.header.name,
        type: entry.header.type!,
        mode: entry.header.mode!,
        text: Buffer.concat(chunks).toString(),
      });
    }
  })();
  for await (const chunk of stream) extract.write(chunk);
  extract.end(undefined);
  await done;
  return out;
}

describe('the source archive', () => {
  it('holds the temp folder and the source file, UTF-8 intact', async () => {
    const entries = await entriesOf(
      sourceArchive({ dir: '/tmp/.sandboxed-code-x1', file: { name: 'main.py', text: 'print("é✓")' } }),
    );
    expect(entries).toEqual([
      { name: '.sandboxed-code-x1/', type: 'directory', mode: 0o755, text: '' },
      { name: '.sandboxed-code-x1/main.py', type: 'file', mode: 0o644, text: 'print("é✓")' },
    ]);
  });
});
