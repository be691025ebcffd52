import type { DiskLimitOption } from './disk-limit.js';

export type DockerNetwork = 'none' | 'bridge';

/** What a sandbox is made from. The gateway owns this: requests only pick a template by name. */
export interface DockerTemplate {
  image: string;
  network: DockerNetwork;
  /** Language this template is meant for (informational, used by capability-code). */
  language?: string;
  /** Overrides the runtime-wide pidsLimit. */
  pidsLimit?: number;
  /** Extra environment for every sandbox of this template (the request's env wins). */
  env: Record<string, string>;
}

export interface DockerRuntimeOptions {
  /** Engine socket; unset: DOCKER_HOST, else /var/run/docker.sock. */
  socketPath?: string;
  templates: Record<string, DockerTemplate>;
  pidsLimit: number;
  /** Network for templates that do not set one. */
  defaultNetwork: DockerNetwork;
  /** Used when a spec carries no resources (the kernel normally fills them in). */
  defaultMemoryMb: number;
  defaultCpu: number;
  /** Deadline for one engine API call (not for exec streams), so a stuck engine surfaces as 503. */
  apiTimeoutMs: number;
  /** How resources.diskMb is enforced; `auto`: the engine's quota where it has one, else tmpfs. */
  diskLimit: DiskLimitOption;
  /** Used when a spec carries no diskMb (the kernel normally fills it in). */
  defaultDiskMb: number;
  /** UNSAFE: lets templates use `bridge`, which has no egress policy (docs/docker.md). */
  allowUnrestrictedBridge?: boolean;
}

export interface DockerRuntimeLogger {
  log(msg: string): void;
  warn(msg: string): void;
}
