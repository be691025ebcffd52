import { chmod, chown, mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { InvalidArgumentError, type SandboxResources } from '@sandboxed/plugin-sdk';
import { isValidSandboxId } from '@sandboxed/plugin-sdk';
import { parsePoolEntry } from './pool-entry.names.js';

export interface HolderRef {
  /** The detached bwrap process (leader of its own process group). */
  pid: number;
  /** bwrap's child: pid 1 of the sandbox's pid namespace, whose namespaces execs join. */
  childPid: number;
  /** HOLDER_GENERATION of the code that started it. */
  generation?: number;
}

/** What the local runtime stores per sandbox in `<dataDir>/<id>/meta.json`. */
export interface SandboxMeta {
  id: string;
  owner: string;
  template: string;
  labels: Record<string, string>;
  env: Record<string, string>;
  resources: SandboxResources;
  createdAt: string;
  expiresAt: string;
  holder?: HolderRef;
  /**
   * What the holder and cgroup are named by when that is not the id: a former pool member's
   * `pool-<key>` (pool-entry.names.ts). Absent for a sandbox created cold.
   */
  slot?: string;
  /** The pool template, on a pool member and on the sandbox it became. */
  pool?: string;
}

/** What the sandbox's holder is tagged with and its cgroup named by. */
export function slotOf(meta: SandboxMeta): string {
  return meta.slot ?? meta.id;
}

/** A directory name in the data dir this store may touch: a sandbox id or a pool entry. */
function assertEntryName(name: string): void {
  if (!isValidSandboxId(name) && !parsePoolEntry(name)) {
    throw new InvalidArgumentError('Invalid sandbox id: only letters, digits, "_" and "-" are allowed', {
      id: String(name).slice(0, 200),
    });
  }
}

const META = 'meta.json';

/**
 * The on-disk layout of the local runtime. Every path goes through a validated directory name:
 * a sandbox id, or a warm-pool entry (`.pool-<key>` and its siblings, pool-entry.names.ts).
 */
export class SandboxMetaStore {
  constructor(readonly dataDir: string) {}

  sandboxDir(name: string): string {
    assertEntryName(name);
    return join(this.dataDir, name);
  }

  workspaceDir(name: string): string {
    return join(this.sandboxDir(name), 'workspace');
  }

  /** The workspace's disk image (when workspaces are bounded volumes). */
  workspaceImage(name: string): string {
    return join(this.sandboxDir(name), 'workspace.img');
  }

  holderLogPath(name: string): string {
    return join(this.sandboxDir(name), 'holder.log');
  }

  /**
   * Creates the sandbox directory; fails with EEXIST when the id is taken. The data dir and the
   * sandbox dir are 0711: bwrap runs as the sandbox uid and must traverse them to bind the
   * workspace, but may not list them. The workspace is the sandbox user's alone (0700).
   */
  async createDirs(name: string, owner?: { uid: number; gid: number }): Promise<void> {
    await mkdir(this.dataDir, { recursive: true, mode: 0o711 });
    await chmod(this.dataDir, 0o711);
    await mkdir(this.sandboxDir(name), { mode: 0o711 });
    await mkdir(this.workspaceDir(name), { mode: 0o700 });
    if (owner) await chown(this.workspaceDir(name), owner.uid, owner.gid);
  }

  /** The sandbox `id`: only when its directory's meta.json names that id (a claim half done does not). */
  async read(id: string): Promise<SandboxMeta | undefined> {
    if (!isValidSandboxId(id)) return undefined;
    const meta = await this.readEntry(id);
    return meta?.id === id ? meta : undefined;
  }

  /** Whatever meta.json a directory holds (a pool member's names no sandbox). */
  async readEntry(name: string): Promise<SandboxMeta | undefined> {
    try {
      return JSON.parse(await readFile(join(this.sandboxDir(name), META), 'utf8')) as SandboxMeta;
    } catch {
      return undefined;
    }
  }

  /** Atomic: write a temp file in the same directory, then rename over meta.json. */
  async write(meta: SandboxMeta, name = meta.id): Promise<void> {
    const dir = this.sandboxDir(name);
    const tmp = join(dir, `.${META}.${randomBytes(6).toString('hex')}.tmp`);
    await writeFile(tmp, JSON.stringify(meta, null, 2), { mode: 0o600 });
    await rename(tmp, join(dir, META));
  }

  /**
   * rename(2) of a whole directory: atomic, and of any number of racing renames of one source
   * exactly one succeeds (the others get ENOENT), in this process or any other on the host.
   */
  async move(from: string, to: string): Promise<void> {
    await rename(this.sandboxDir(from), this.sandboxDir(to));
  }

  /** Every name in the data dir. */
  async entries(): Promise<string[]> {
    return readdir(this.dataDir).catch(() => [] as string[]);
  }

  /** When the directory last changed (its ctime: a rename of it sets it). */
  async changedAt(name: string): Promise<Date | undefined> {
    return stat(this.sandboxDir(name)).then(
      (st) => st.ctime,
      () => undefined,
    );
  }

  async readAll(): Promise<SandboxMeta[]> {
    let names: string[];
    try {
      names = await readdir(this.dataDir);
    } catch {
      return [];
    }
    const metas = await Promise.all(names.filter(isValidSandboxId).map((id) => this.read(id)));
    return metas.filter((m): m is SandboxMeta => m !== undefined);
  }

  /** Hides the sandbox (or pool entry) from listing at once (rename), then deletes it. Unknown names are fine. */
  async remove(name: string): Promise<void> {
    if (!isValidSandboxId(name) && !parsePoolEntry(name)) return;
    const trash = join(this.dataDir, `.deleting-${name.replace(/^\./, '')}-${randomBytes(4).toString('hex')}`);
    try {
      await rename(this.sandboxDir(name), trash);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw err;
    }
    await rm(trash, { recursive: true, force: true, maxRetries: 3 });
  }
}
