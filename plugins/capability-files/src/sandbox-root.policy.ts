import { readlinkSync } from 'node:fs';
import { posix } from 'node:path';

/** How far the files operations reach in one sandbox. */
export interface FileSystemBoundary {
  /** Paths must resolve inside this directory: `/` (the sandbox's whole root), or the workdir. */
  root: string;
  /** True when the sandbox has no root of its own, so files are kept inside the workdir. */
  confined: boolean;
}

const MOUNT_NAMESPACE = /^mnt:\[\d+\]$/;
let gatewayNamespace: string | null | undefined;

/** The gateway process's own mount namespace (`mnt:[N]`), or undefined where it cannot be read. */
export function gatewayMountNamespace(): string | undefined {
  if (gatewayNamespace === undefined) {
    try {
      gatewayNamespace = readlinkSync('/proc/self/ns/mnt');
    } catch {
      gatewayNamespace = null;
    }
  }
  return gatewayNamespace ?? undefined;
}

/**
 * Where the files operations of one sandbox may reach, from the mount namespace its commands ran
 * in (read by the same exec that resolves the paths) and the gateway's own (`gatewayMountNamespace()`).
 *
 * A sandbox whose commands run in a mount namespace of their own has its own file system: its
 * root is the sandbox's `/`, and every path there names the sandbox's files, so the whole root is
 * open to the files operations, exactly as it is to exec. A sandbox whose commands run in the
 * gateway's own mount namespace (runtime-local `isolation: none`) has no root of its own: its `/`
 * is the host's, so the files operations stay inside its workdir, as they always did. When either
 * namespace cannot be read, we cannot tell the two apart, and stay inside the workdir.
 */
export function fileSystemBoundary(
  workdir: string,
  sandboxNamespace: string | undefined,
  gatewayNs: string | undefined,
): FileSystemBoundary {
  const own =
    sandboxNamespace !== undefined &&
    gatewayNs !== undefined &&
    MOUNT_NAMESPACE.test(sandboxNamespace) &&
    sandboxNamespace !== gatewayNs;
  return own ? { root: '/', confined: false } : { root: posix.resolve('/', workdir), confined: true };
}
