import type { ContainerCreateOptions } from 'dockerode';
import { InvalidArgumentError, type SandboxResources, type SandboxSpec } from '@sandboxed/plugin-sdk';
import type { DockerRuntimeOptions, DockerTemplate } from './docker-runtime.options.js';
import { BRIDGE_NETWORK } from './bridge-network.js';
import { containerName, encodeLabels } from './sandbox-labels.codec.js';

export const SANDBOX_WORKDIR = '/workspace';
export const SANDBOX_UID = 1000;
export const SANDBOX_GID = 1000;
export const SANDBOX_USER = `${SANDBOX_UID}:${SANDBOX_GID}`;

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function envList(env: Record<string, string>): string[] {
  return Object.entries(env).map(([k, v]) => {
    if (!ENV_NAME.test(k) || typeof v !== 'string' || v.includes('\0')) {
      throw new InvalidArgumentError(`Invalid environment variable: ${k.slice(0, 100)}`);
    }
    return `${k}=${v}`;
  });
}

export function effectiveResources(
  spec: SandboxSpec,
  options: DockerRuntimeOptions,
): SandboxResources & { cpu: number; memoryMb: number } {
  const cpu = spec.resources.cpu ?? options.defaultCpu;
  const memoryMb = spec.resources.memoryMb ?? options.defaultMemoryMb;
  if (!(cpu > 0) || !(memoryMb >= 6)) throw new InvalidArgumentError('resources: cpu must be > 0 and memoryMb >= 6');
  return { ...spec.resources, cpu, memoryMb };
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
): ContainerCreateOptions {
  const resources = effectiveResources(spec, options);
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
    Labels: encodeLabels(spec, resources, createdAt),
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
      Mounts: [],
      Devices: [],
      IpcMode: 'private',
      ReadonlyRootfs: false,
      // Brings sandboxes back after an engine restart; a remove still removes.
      RestartPolicy: { Name: 'unless-stopped', MaximumRetryCount: 0 },
      LogConfig: { Type: 'none', Config: {} },
    },
  };
}
