import { randomBytes } from 'node:crypto';
import { link, mkdir, readFile, stat, unlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { ConflictError, UnavailableError } from '@sandboxed/plugin-sdk';

interface LockOwner {
  pid: number;
  /** /proc/<pid>/stat start time, so a reused pid is not mistaken for the owner. */
  start: string;
}

async function startTimeOf(pid: number): Promise<string | undefined> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

async function readOwner(path: string): Promise<LockOwner | undefined> {
  try {
    const owner = JSON.parse(await readFile(path, 'utf8')) as LockOwner;
    return Number.isInteger(owner.pid) ? owner : undefined;
  } catch {
    return undefined;
  }
}

/**
 * One gateway per local data dir: `<dataDir>/.lock` names the owning process. A lock whose
 * owner is dead (crash, SIGKILL) is taken over; a live owner other than us is a clear error.
 */
export class DataDirLock {
  private constructor(private readonly path: string) {}

  static async acquire(dataDir: string): Promise<DataDirLock> {
    await mkdir(dataDir, { recursive: true, mode: 0o711 });
    const path = join(dataDir, '.lock');
    const me: LockOwner = { pid: process.pid, start: (await startTimeOf(process.pid)) ?? '' };
    for (let attempt = 0; attempt < 5; attempt++) {
      const tmp = `${path}.${randomBytes(4).toString('hex')}`;
      await writeFile(tmp, JSON.stringify(me), { mode: 0o600 });
      try {
        await link(tmp, path);
        return new DataDirLock(path);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      } finally {
        await unlink(tmp).catch(() => undefined);
      }
      const owner = await readOwner(path);
      if (owner && owner.pid === me.pid && owner.start === me.start) return new DataDirLock(path);
      if (owner && (await startTimeOf(owner.pid)) === owner.start) {
        throw new ConflictError(
          `runtime-local: the data dir ${dataDir} is in use by another gateway (pid ${owner.pid}). ` +
            'Each gateway needs its own runtime-local dataDir; stop the other one or set a different dataDir.',
          { dataDir, pid: owner.pid },
        );
      }
      // The owner is gone: take the lock over (unlink, then race for the link again).
      await unlink(path).catch(() => undefined);
    }
    throw new ConflictError(`runtime-local: could not lock the data dir ${dataDir}`);
  }

  async release(): Promise<void> {
    const owner = await readOwner(this.path);
    if (owner?.pid === process.pid) await unlink(this.path).catch(() => undefined);
  }
}

/**
 * bwrap runs as the sandbox uid and must reach the workspace by path: every parent of the data
 * dir needs search permission for "other" (the data dir itself is made 0711).
 */
export async function assertTraversable(dataDir: string, uid: number): Promise<void> {
  for (let dir = dirname(dataDir); ; dir = dirname(dir)) {
    const st = await stat(dir);
    if (st.uid !== uid && (st.mode & 0o001) === 0) {
      throw new UnavailableError(
        `runtime-local: the sandbox user (uid ${uid}) cannot reach the data dir ${dataDir}: ${dir} is not ` +
          `searchable (mode ${(st.mode & 0o777).toString(8)}). Choose a dataDir under searchable directories ` +
          `(as root the default is /var/lib/sandboxed/local) or run \`chmod o+x ${dir}\`.`,
        { dataDir, dir },
      );
    }
    if (dir === dirname(dir)) return;
  }
}
