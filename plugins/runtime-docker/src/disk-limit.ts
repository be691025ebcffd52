import type { HostConfig } from 'dockerode';
import { SANDBOX_GID, SANDBOX_UID } from './sandbox-user.js';

/**
 * How `resources.diskMb` is enforced:
 * - `quota`: `StorageOpt.size` caps the container's whole writable layer (workspace, /tmp and all),
 *   on disk. Only some storage drivers offer it: overlay2 on xfs mounted with `pquota`, btrfs, zfs.
 * - `tmpfs`: /workspace, /tmp and /var/tmp are size-limited tmpfs volumes of `diskMb` each and the
 *   rest of the image is read-only. Files live in RAM and count toward the memory limit, and they
 *   do not survive a restart of the container (an engine restart).
 * - `off`: no bound (the image's layer grows until the engine's disk is full).
 */
export type DiskLimitMode = 'quota' | 'tmpfs' | 'off';
export type DiskLimitOption = DiskLimitMode | 'auto';

/** Marks a sandbox's disk volumes (value: the mount point), so leftovers can be found and removed. */
export const DISK_VOLUME_LABEL = 'sandboxed.disk';

/** The writable places of a sandbox in tmpfs mode: everything else is the read-only image. */
export const TMPFS_DIRS = [
  { path: '/workspace', mode: '0755' },
  { path: '/tmp', mode: '1777' },
  { path: '/var/tmp', mode: '1777' },
] as const;

/** The HostConfig part that enforces `diskMb` in `mode`. */
export function diskHostConfig(mode: DiskLimitMode, diskMb: number): Partial<HostConfig> {
  const mb = Math.floor(diskMb);
  if (mode === 'quota') return { StorageOpt: { size: `${mb}M` }, ReadonlyRootfs: false, Mounts: [] };
  if (mode === 'off') return { ReadonlyRootfs: false, Mounts: [] };
  // Anonymous volumes of the local driver (not HostConfig.Tmpfs): the engine's archive API, which
  // the files capability uses, sees into volumes but not into tmpfs mounts. `remove({ v: true })`
  // deletes them with the container.
  return {
    ReadonlyRootfs: true,
    Mounts: TMPFS_DIRS.map(({ path, mode: dirMode }) => ({
      Type: 'volume' as const,
      Source: '', // anonymous
      Target: path,
      VolumeOptions: {
        NoCopy: true,
        Labels: { [DISK_VOLUME_LABEL]: path },
        DriverConfig: {
          Name: 'local',
          Options: {
            type: 'tmpfs',
            device: 'tmpfs',
            o: `size=${mb}m,uid=${SANDBOX_UID},gid=${SANDBOX_GID},mode=${dirMode},nosuid,nodev`,
          },
        },
      },
    })),
  };
}

interface EngineStorage {
  Driver?: string;
  DriverStatus?: Array<[string, string]>;
}

/** Whether the engine's storage driver can take `StorageOpt.size` at all (pquota shows only on create). */
export function quotaCapable(info: EngineStorage): boolean {
  const driver = info.Driver ?? '';
  const backing = (info.DriverStatus ?? []).find(([k]) => k === 'Backing Filesystem')?.[1] ?? '';
  return (driver === 'overlay2' && backing === 'xfs') || driver === 'btrfs' || driver === 'zfs';
}

/** The engine's refusal of `StorageOpt.size` (e.g. overlay2 on xfs without pquota). */
export function isQuotaRefusal(message: string): boolean {
  return /storage-?opt.*(not supported|supported only)|quota/i.test(message);
}
