import { execFile } from 'node:child_process';
import { constants } from 'node:fs';
import { access, readFile, rm, rmdir } from 'node:fs/promises';
import { HOST_TOOL_ENV } from './host-tool.env.js';

const MKFS = '/usr/sbin/mkfs.ext4';
const MOUNT = '/usr/bin/mount';
const UMOUNT = '/usr/bin/umount';

function run(file: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(file, args, { env: { ...HOST_TOOL_ENV }, timeout: 60_000 }, (err, _stdout, stderr) =>
      err ? reject(new Error(`${file} ${args[0] ?? ''}: ${String(stderr).trim() || err.message}`)) : resolve(),
    );
  });
}

/** Paths under which a filesystem is mounted, decoded from /proc/self/mountinfo. */
async function mountPoints(): Promise<Set<string>> {
  const text = await readFile('/proc/self/mountinfo', 'utf8').catch(() => '');
  const decode = (s: string): string =>
    s.replace(/\\([0-7]{3})/g, (_m, o: string) => String.fromCharCode(parseInt(o, 8)));
  return new Set(
    text
      .split('\n')
      .map((line) => line.split(' ')[4])
      .filter((p): p is string => p !== undefined)
      .map(decode),
  );
}

/**
 * Bounds a workspace's disk use: a sparse ext4 image of `diskMb` per sandbox, loop-mounted
 * (nosuid, nodev) on the workspace directory, so a full workspace is ENOSPC for that sandbox
 * alone. Every argument is a path the runtime derived from a validated sandbox id.
 */
export class WorkspaceVolumes {
  private constructor() {}

  static async detect(): Promise<WorkspaceVolumes | { unavailable: string }> {
    if (process.getuid?.() !== 0)
      return { unavailable: 'the gateway is not root, so it cannot mount workspace volumes' };
    for (const tool of [MKFS, MOUNT, UMOUNT]) {
      const ok = await access(tool, constants.X_OK).then(
        () => true,
        () => false,
      );
      if (!ok) return { unavailable: `${tool} is missing (Debian/Ubuntu: apt-get install e2fsprogs mount)` };
    }
    const loop = await access('/dev/loop-control').then(
      () => true,
      () => false,
    );
    if (!loop) return { unavailable: 'the kernel offers no loop devices (/dev/loop-control)' };
    return new WorkspaceVolumes();
  }

  /** Makes the image and mounts it on `mountPoint` (an empty directory). */
  async create(image: string, mountPoint: string, sizeMb: number, owner?: { uid: number; gid: number }): Promise<void> {
    const rootOwner = owner ? `root_owner=${owner.uid}:${owner.gid},` : '';
    await run('/usr/bin/truncate', ['-s', `${Math.floor(sizeMb)}M`, image]);
    await run(MKFS, ['-q', '-F', '-m', '0', '-O', '^has_journal', '-E', `${rootOwner}lazy_itable_init=1`, image]);
    await this.mount(image, mountPoint);
    // An empty workspace, as on every other runtime (e2fsck recreates lost+found if it needs one).
    await rmdir(`${mountPoint}/lost+found`).catch(() => undefined);
  }

  /** Mounts the image again where it is not (after a host reboot). */
  async ensureMounted(image: string, mountPoint: string): Promise<void> {
    const exists = await access(image).then(
      () => true,
      () => false,
    );
    if (exists && !(await mountPoints()).has(mountPoint)) await this.mount(image, mountPoint);
  }

  /** Unmounts (lazily, so a straggling open file cannot block a destroy) and deletes the image. */
  async release(image: string, mountPoint: string): Promise<void> {
    if ((await mountPoints()).has(mountPoint)) await run(UMOUNT, ['-l', mountPoint]);
    await rm(image, { force: true });
  }

  private async mount(image: string, mountPoint: string): Promise<void> {
    await run(MOUNT, ['-o', 'loop,nosuid,nodev', image, mountPoint]);
  }
}
