import { posix } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Readable } from 'node:stream';
import * as tar from 'tar-stream';
import { InvalidArgumentError } from '@sandboxed/plugin-sdk';

const REJECTED = new Set(['character-device', 'block-device', 'fifo']);

/**
 * The engine extracts archives as root and keeps the owners recorded in the tar, so files
 * would belong to root and the sandbox user could not change them. (Docker's `copyUIDGID`
 * needs a user *name*, and the sandbox user is numeric.) This rewrites every entry to
 * uid/gid of the sandbox user, adds the parent directories the tar leaves implicit (the
 * engine would create them root-owned), drops setuid/setgid bits and refuses device nodes.
 */
export function ownArchiveEntries(input: Readable, uid: number, gid: number): Readable {
  const extract = tar.extract();
  const pack = tar.pack();
  const dirs = new Set<string>();
  const mtime = new Date();

  const addParents = (name: string): void => {
    const parts = name.split('/').slice(0, -1);
    for (let i = 1; i <= parts.length; i++) {
      const dir = parts.slice(0, i).join('/');
      if (dir === '' || dir === '.' || dirs.has(dir)) continue;
      dirs.add(dir);
      pack.entry({
        name: `${dir}/`,
        type: 'directory',
        mode: 0o755,
        uid,
        gid,
        uname: 'sandbox',
        gname: 'sandbox',
        mtime,
      });
    }
  };

  (async () => {
    for await (const entry of extract) {
      const h = entry.header;
      if (h.type && REJECTED.has(h.type))
        throw new InvalidArgumentError(`Archive entry ${h.name} is a ${h.type}, which is not allowed`);
      const name = posix.normalize(h.name).replace(/\/+$/, '').replace(/^\.\//, '');
      if (name !== '.' && name !== '') addParents(name);
      if (h.type === 'directory') dirs.add(name);
      const header: tar.Header = {
        ...h,
        uid,
        gid,
        uname: 'sandbox',
        gname: 'sandbox',
        mode: (h.mode ?? 0o644) & 0o1777,
      };
      await pipeline(entry, pack.entry(header));
    }
    pack.finalize();
  })().catch((err: Error) => {
    input.destroy();
    pack.destroy(err);
  });

  input.once('error', (err) => extract.destroy(err));
  input.pipe(extract);
  return pack as unknown as Readable;
}
