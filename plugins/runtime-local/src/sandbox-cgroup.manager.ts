import { existsSync } from 'node:fs';
import { mkdir, readFile, rmdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { SandboxResources } from '@sandboxed/plugin-sdk';
import { pollUntil, signalQuietly } from './process.helpers.js';

export type CgroupMode = 'v1' | 'v2';

const CONTROLLERS = ['memory', 'pids', 'cpu'] as const;
type Controller = (typeof CONTROLLERS)[number];
const CPU_PERIOD_US = 100_000;

/** Where the cgroup hierarchies are mounted, from /proc/self/mountinfo. */
async function findMounts(): Promise<{ v1: Partial<Record<Controller, string>>; v2?: string }> {
  const v1: Partial<Record<Controller, string>> = {};
  let v2: string | undefined;
  const text = await readFile('/proc/self/mountinfo', 'utf8').catch(() => '');
  for (const line of text.split('\n')) {
    const [left, right] = line.split(' - ');
    if (!left || !right) continue;
    const mountPoint = left.split(' ')[4];
    const [fstype, , superOptions = ''] = right.split(' ');
    if (!mountPoint) continue;
    if (fstype === 'cgroup2') v2 ??= mountPoint;
    if (fstype === 'cgroup') {
      const opts = superOptions.split(',');
      for (const c of CONTROLLERS) if (opts.includes(c)) v1[c] ??= mountPoint;
    }
  }
  return { v1, v2 };
}

async function writeValue(path: string, value: string): Promise<void> {
  await writeFile(path, value);
}

/**
 * One cgroup per local sandbox (v1: one per controller; v2: one), under `<hierarchy>/sandboxed/`.
 * Every process of the sandbox (the holder, every exec) joins it before it drops privileges,
 * so pids, memory and CPU are capped for the whole sandbox and destroy kills all of it.
 */
export class SandboxCgroups {
  private constructor(
    readonly mode: CgroupMode,
    private readonly roots: readonly string[],
  ) {}

  /** The cgroups this host lets us manage, or the reason it does not. */
  static async detect(): Promise<SandboxCgroups | { unavailable: string }> {
    if (process.getuid?.() !== 0) return { unavailable: 'the gateway is not root, so it cannot create cgroups' };
    const mounts = await findMounts();
    if (CONTROLLERS.every((c) => mounts.v1[c])) {
      const roots = CONTROLLERS.map((c) => join(mounts.v1[c]!, 'sandboxed'));
      try {
        for (const root of new Set(roots)) await mkdir(root, { recursive: true, mode: 0o755 });
      } catch (err) {
        return { unavailable: `cannot create cgroups under ${roots.join(', ')}: ${(err as Error).message}` };
      }
      return new SandboxCgroups('v1', [...new Set(roots)]);
    }
    if (mounts.v2) {
      const available = (await readFile(join(mounts.v2, 'cgroup.controllers'), 'utf8').catch(() => '')).split(/\s+/);
      const missing = CONTROLLERS.filter((c) => !available.includes(c));
      if (missing.length > 0) return { unavailable: `cgroup v2 lacks the ${missing.join(', ')} controller(s)` };
      const root = join(mounts.v2, 'sandboxed');
      try {
        const enable = CONTROLLERS.map((c) => `+${c}`).join(' ');
        await writeValue(join(mounts.v2, 'cgroup.subtree_control'), enable);
        await mkdir(root, { recursive: true, mode: 0o755 });
        await writeValue(join(root, 'cgroup.subtree_control'), enable);
      } catch (err) {
        return { unavailable: `cannot delegate cgroup v2 controllers at ${mounts.v2}: ${(err as Error).message}` };
      }
      return new SandboxCgroups('v2', [root]);
    }
    return { unavailable: 'no cgroup hierarchy with the memory, pids and cpu controllers is mounted' };
  }

  /** The sandbox's cgroup directories (each exec writes its pid into all of them). */
  dirs(id: string): string[] {
    return this.roots.map((root) => join(root, id));
  }

  /** Creates the cgroups (idempotent) and writes the limits. */
  async create(id: string, resources: SandboxResources): Promise<void> {
    for (const dir of this.dirs(id)) await mkdir(dir, { recursive: true, mode: 0o755 });
    const memory = resources.memoryMb ? String(Math.floor(resources.memoryMb * 1024 * 1024)) : undefined;
    const quota = resources.cpu ? Math.max(1000, Math.round(resources.cpu * CPU_PERIOD_US)) : undefined;
    const pids = resources.pids ? String(resources.pids) : undefined;
    for (const dir of this.dirs(id)) {
      const has = (file: string): boolean => existsSync(join(dir, file));
      if (this.mode === 'v1') {
        if (memory && has('memory.limit_in_bytes')) {
          await writeValue(join(dir, 'memory.limit_in_bytes'), memory);
          // Swap counts against the same limit, where the kernel accounts swap.
          if (has('memory.memsw.limit_in_bytes')) await writeValue(join(dir, 'memory.memsw.limit_in_bytes'), memory);
        }
        if (pids && has('pids.max')) await writeValue(join(dir, 'pids.max'), pids);
        if (quota && has('cpu.cfs_quota_us')) {
          await writeValue(join(dir, 'cpu.cfs_period_us'), String(CPU_PERIOD_US));
          await writeValue(join(dir, 'cpu.cfs_quota_us'), String(quota));
        }
      } else {
        if (memory) await writeValue(join(dir, 'memory.max'), memory);
        if (memory && has('memory.swap.max')) await writeValue(join(dir, 'memory.swap.max'), '0');
        if (pids) await writeValue(join(dir, 'pids.max'), pids);
        if (quota) await writeValue(join(dir, 'cpu.max'), `${quota} ${CPU_PERIOD_US}`);
      }
    }
  }

  /** The limits as the kernel holds them (for sandbox.get and tests). */
  async read(id: string): Promise<{ memoryBytes?: number; pids?: number; cpuQuotaUs?: number }> {
    const value = async (file: string): Promise<number | undefined> => {
      for (const dir of this.dirs(id)) {
        const text = await readFile(join(dir, file), 'utf8').catch(() => undefined);
        if (text !== undefined) return Number(text.trim().split(' ')[0]);
      }
      return undefined;
    };
    return this.mode === 'v1'
      ? {
          memoryBytes: await value('memory.limit_in_bytes'),
          pids: await value('pids.max'),
          cpuQuotaUs: await value('cpu.cfs_quota_us'),
        }
      : { memoryBytes: await value('memory.max'), pids: await value('pids.max'), cpuQuotaUs: await value('cpu.max') };
  }

  async pids(id: string): Promise<number[]> {
    const out = new Set<number>();
    for (const dir of this.dirs(id)) {
      const text = await readFile(join(dir, 'cgroup.procs'), 'utf8').catch(() => '');
      for (const line of text.split('\n')) if (/^\d+$/.test(line)) out.add(Number(line));
    }
    return [...out];
  }

  /** Kills every process in the sandbox's cgroups, then removes them. Idempotent. */
  async destroy(id: string): Promise<void> {
    const kill = this.dirs(id).map((dir) => join(dir, 'cgroup.kill'));
    if (this.mode === 'v2' && existsSync(kill[0]!)) await writeValue(kill[0]!, '1').catch(() => undefined);
    const emptied = await pollUntil(async () => {
      const pids = await this.pids(id);
      for (const pid of pids) signalQuietly(pid, 'SIGKILL');
      return pids.length === 0;
    }, 5000);
    if (!emptied) throw new Error(`processes of sandbox ${id} survived SIGKILL`);
    for (const dir of this.dirs(id)) {
      await pollUntil(
        () =>
          rmdir(dir).then(
            () => true,
            (err: NodeJS.ErrnoException) => err.code === 'ENOENT',
          ),
        2000,
      );
    }
  }
}
