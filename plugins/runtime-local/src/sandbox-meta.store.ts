import { chmod, chown, mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { SandboxResources } from '@sandboxed/plugin-sdk';
import { assertValidSandboxId, isValidSandboxId } from '@sandboxed/plugin-sdk';

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
}

const META = 'meta.json';

/** The on-disk layout of the local runtime. Every path goes through a validated id. */
export class SandboxMetaStore {
  constructor(readonly dataDir: string) {}

  sandboxDir(id: string): string {
    assertValidSandboxId(id);
    return join(this.dataDir, id);
  }

  workspaceDir(id: string): string {
    return join(this.sandboxDir(id), 'workspace');
  }

  /** The workspace's disk image (when workspaces are bounded volumes). */
  workspaceImage(id: string): string {
    return join(this.sandboxDir(id), 'workspace.img');
  }

  holderLogPath(id: string): string {
    return join(this.sandboxDir(id), 'holder.log');
  }

  /** Creates the sandbox directory; fails with EEXIST when the id is taken. */
  /**
   * Creates the sandbox directory; fails with EEXIST when the id is taken. The data dir and the
   * sandbox dir are 0711: bwrap runs as the sandbox uid and must traverse them to bind the
   * workspace, but may not list them. The workspace is the sandbox user's alone (0700).
   */
  async createDirs(id: string, owner?: { uid: number; gid: number }): Promise<void> {
    await mkdir(this.dataDir, { recursive: true, mode: 0o711 });
    await chmod(this.dataDir, 0o711);
    await mkdir(this.sandboxDir(id), { mode: 0o711 });
    await mkdir(this.workspaceDir(id), { mode: 0o700 });
    if (owner) await chown(this.workspaceDir(id), owner.uid, owner.gid);
  }

  async read(id: string): Promise<SandboxMeta | undefined> {
    if (!isValidSandboxId(id)) return undefined;
    try {
      const meta = JSON.parse(await readFile(join(this.sandboxDir(id), META), 'utf8')) as SandboxMeta;
      return meta.id === id ? meta : undefined;
    } catch {
      return undefined;
    }
  }

  /** Atomic: write a temp file in the same directory, then rename over meta.json. */
  async write(meta: SandboxMeta): Promise<void> {
    const dir = this.sandboxDir(meta.id);
    const tmp = join(dir, `.${META}.${randomBytes(6).toString('hex')}.tmp`);
    await writeFile(tmp, JSON.stringify(meta, null, 2), { mode: 0o600 });
    await rename(tmp, join(dir, META));
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

  /** Hides the sandbox from listing at once (rename), then deletes it. Unknown ids are fine. */
  async remove(id: string): Promise<void> {
    if (!isValidSandboxId(id)) return;
    const trash = join(this.dataDir, `.deleting-${id}-${randomBytes(4).toString('hex')}`);
    try {
      await rename(this.sandboxDir(id), trash);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw err;
    }
    await rm(trash, { recursive: true, force: true, maxRetries: 3 });
  }
}
