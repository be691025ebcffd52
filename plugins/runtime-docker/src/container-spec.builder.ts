import type { ContainerCreateOptions } from 'dockerode';
import { checkedEnv, InvalidArgumentError, type SandboxResources, type SandboxSpec } from '@sandboxed/plugin-sdk';
import type { DockerRuntimeOptions, DockerTemplate } from './docker-runtime.options.js';
import { BRIDGE_NETWORK } from './bridge-network.js';
import { diskHostConfig, type DiskLimitMode } from './disk-limit.js';
import { SANDBOX_GID, SANDBOX_UID, SANDBOX_USER, SANDBOX_WORKDIR } from './sandbox-user.js';
import { containerName, encodeLabels } from './sandbox-labels.codec.js';

export { SANDBOX_GID, SANDBOX_UID, SANDBOX_USER, SANDBOX_WORKDIR };

export function envList(env: Record<string, string>): string[] {
  return checkedEnv(env).map(([k, v]) => `${k}=${v}`);
}

export type EffectiveResources = SandboxResources & { cpu: number; memoryMb: number };

/** What the sandbox gets (and reports): diskMb only where `disk` enforces it. */
export function effectiveResources(
  spec: SandboxSpec,
  options: DockerRuntimeOptions,
  disk: DiskLimitMode = 'off',
): EffectiveResources {
  const cpu = spec.resources.cpu ?? options.defaultCpu;
  const memoryMb = spec.resources.memoryMb ?? options.defaultMemoryMb;
  if (!(cpu > 0) || !(memoryMb >= 6)) throw new InvalidArgumentError('resources: cpu must be > 0 and memoryMb >= 6');
  if (disk === 'off') return { cpu, memoryMb };
  const diskMb = spec.resources.diskMb ?? options.defaultDiskMb;
  if (!(Number.isInteger(diskMb) && diskMb >= 1))
    throw new InvalidArgumentError('resources: diskMb must be an integer >= 1');
  return { cpu, memoryMb, diskMb };
}

/**
 * The whole container spec comes from the template and this function: nothing in a request
 * can add mounts, privileges, capabilities, devices or host namespaces.
 */
export function buildContainerSpec(
  spec: SandboxSpec,
  template: DockerTemplate,
  options: DockerRuntimeOptions,
  createdAt: Date,
  disk: DiskLimitMode = 'off',
): ContainerCreateOptions {
  const resources = effectiveResources(spec, options, disk);
  const memory = Math.round(resources.memoryMb * 1024 * 1024);
  return {
    name: containerName(spec.id),
    Image: template.image,
    Entrypoint: ['sleep'],
    Cmd: ['infinity'],
    User: SANDBOX_USER,
    WorkingDir: SANDBOX_WORKDIR,
    Hostname: 'sandbox',
    Env: envList({ HOME: SANDBOX_WORKDIR, LANG: 'C.UTF-8', ...template.env, ...spec.env }),
    Labels: encodeLabels(spec, resources, createdAt, disk),
    AttachStdin: false,
    AttachStdout: false,
    AttachStderr: false,
    Tty: false,
    OpenStdin: false,
    HostConfig: {
      NetworkMode: template.network === 'bridge' ? BRIDGE_NETWORK : 'none',
      CapDrop: ['ALL'],
      CapAdd: [],
      SecurityOpt: ['no-new-privileges'],
      Privileged: false,
      PidsLimit: template.pidsLimit ?? options.pidsLimit,
      Memory: memory,
      MemorySwap: memory,
      NanoCpus: Math.round(resources.cpu * 1e9),
      Init: true,
      Binds: [],
      Devices: [],
      IpcMode: 'private',
      // Mounts, ReadonlyRootfs and StorageOpt: only what enforces resources.diskMb (disk-limit.ts).
      ...diskHostConfig(disk, resources.diskMb ?? 0),
      // Brings sandboxes back after an engine restart; a remove still removes.
      RestartPolicy: { Name: 'unless-stopped', MaximumRetryCount: 0 },
      LogConfig: { Type: 'none', Config: {} },
    },
  };
}
