import { describe, expect, it } from '@jest/globals';
import type Docker from 'dockerode';
import { diskHostConfig, isQuotaRefusal, quotaCapable, TMPFS_DIRS } from './disk-limit.js';
import { DockerRuntime } from './docker.runtime.js';
import { resolveDockerRuntimeOptions } from './docker-runtime-options.dto.js';
import { sandboxSpec } from './docker-engine.spec-helper.js';

/** Docker 20.10's answer to StorageOpt.size on overlay2 over ext4 (checked on this engine). */
const REFUSAL = "--storage-opt is supported only for overlay over xfs with 'pquota' mount option";

describe('disk limits (issue 8, item 6)', () => {
  it('caps the whole writable layer with StorageOpt.size in quota mode', () => {
    expect(diskHostConfig('quota', 2048)).toEqual({ StorageOpt: { size: '2048M' }, ReadonlyRootfs: false, Mounts: [] });
  });

  it('mounts size-limited tmpfs volumes on every writable place and makes the image read-only in tmpfs mode', () => {
    const hc = diskHostConfig('tmpfs', 32);
    expect(hc.ReadonlyRootfs).toBe(true);
    expect(hc.StorageOpt).toBeUndefined();
    expect(hc.Mounts!.map((m) => m.Target)).toEqual(TMPFS_DIRS.map((d) => d.path));
    for (const m of hc.Mounts!) {
      expect(m).toMatchObject({ Type: 'volume', Source: '' });
      expect(m.VolumeOptions!.DriverConfig.Options).toMatchObject({ type: 'tmpfs', device: 'tmpfs' });
      expect(m.VolumeOptions!.DriverConfig.Options.o).toMatch(/^size=32m,uid=1000,gid=1000,mode=\d{4},nosuid,nodev$/);
    }
  });

  it('knows which storage drivers can take a quota, and the refusal of the others', () => {
    expect(quotaCapable({ Driver: 'overlay2', DriverStatus: [['Backing Filesystem', 'extfs']] })).toBe(false);
    expect(quotaCapable({ Driver: 'overlay2', DriverStatus: [['Backing Filesystem', 'xfs']] })).toBe(true);
    expect(quotaCapable({ Driver: 'btrfs' })).toBe(true);
    expect(quotaCapable({ Driver: 'vfs' })).toBe(false);
    expect(isQuotaRefusal(REFUSAL)).toBe(true);
    expect(isQuotaRefusal('No such image: x')).toBe(false);
  });
});

/** A fake engine that reports overlay2 on xfs but refuses StorageOpt (xfs mounted without pquota). */
function xfsWithoutPquota() {
  const bodies: Docker.ContainerCreateOptions[] = [];
  const docker = {
    info: async () => ({ Driver: 'overlay2', DriverStatus: [['Backing Filesystem', 'xfs']] }),
    createContainer: async (body: Docker.ContainerCreateOptions) => {
      bodies.push(body);
      if (body.HostConfig?.StorageOpt) {
        throw Object.assign(new Error(`(HTTP code 500) server error - ${REFUSAL}`), {
          statusCode: 500,
          json: { message: REFUSAL },
        });
      }
      return { start: async () => undefined, remove: async () => undefined };
    },
  } as unknown as Docker;
  return { docker, bodies };
}

describe('disk limit mode on an engine that refuses the quota', () => {
  it('auto falls back to tmpfs volumes, says so once, and reports diskMb', async () => {
    const { docker, bodies } = xfsWithoutPquota();
    const warnings: string[] = [];
    const runtime = new DockerRuntime(
      resolveDockerRuntimeOptions({}),
      { log: () => undefined, warn: (m) => warnings.push(m) },
      { docker, endpoint: 'fake' },
    );
    const info = await runtime.create(sandboxSpec({ resources: { diskMb: 64 } }));
    expect(info.resources).toMatchObject({ diskMb: 64 });
    expect(bodies.map((b) => Boolean(b.HostConfig?.StorageOpt))).toEqual([true, false]);
    expect(bodies[1]!.HostConfig).toMatchObject({ ReadonlyRootfs: true });
    await runtime.create(sandboxSpec({ resources: { diskMb: 64 } }));
    expect(bodies.map((b) => Boolean(b.HostConfig?.StorageOpt))).toEqual([true, false, false]);
    expect(warnings).toEqual([expect.stringContaining('refuses StorageOpt.size')]);
  });

  it('quota, asked for explicitly, is a 503 that says what the engine lacks', async () => {
    const { docker } = xfsWithoutPquota();
    const runtime = new DockerRuntime(resolveDockerRuntimeOptions({ diskLimit: 'quota' }), undefined, {
      docker,
      endpoint: 'fake',
    });
    await expect(runtime.create(sandboxSpec())).rejects.toMatchObject({
      code: 'unavailable',
      message: expect.stringMatching(/refuses StorageOpt\.size.*pquota/),
    });
  });
});
