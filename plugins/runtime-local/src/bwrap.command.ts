import type { LocalNetwork } from './local-runtime.options.js';

/** The mount point of the workspace inside the sandbox. */
export const SANDBOX_WORKDIR = '/workspace';

/**
 * The only /etc entries a sandbox sees (never the whole /etc): the dynamic linker's
 * config, users and groups for `id`/`ls -l`, name service config, CA certificates,
 * the time zone and terminfo. resolv.conf is added only with host networking.
 */
export const ETC_ALLOWLIST: readonly string[] = [
  '/etc/ld.so.cache',
  '/etc/ld.so.conf',
  '/etc/ld.so.conf.d',
  '/etc/alternatives',
  '/etc/passwd',
  '/etc/group',
  '/etc/nsswitch.conf',
  '/etc/hosts',
  '/etc/ssl',
  '/etc/ca-certificates',
  '/etc/localtime',
  '/etc/timezone',
  '/etc/terminfo',
];

/** Marks a holder's command line with its sandbox id (checked before trusting a stored pid). */
export const HOLDER_ID_ENV = 'SANDBOXED_SANDBOX_ID';

export interface HolderCommandOptions {
  sandboxId: string;
  /** File descriptor (in bwrap) of the open workspace directory, bound on /workspace. */
  workspaceFd: number;
  network: LocalNetwork;
  /** Create a user namespace (required when not running as root). */
  userns: boolean;
  /** File descriptor (in bwrap) where it writes `{"child-pid": N, ...}`. */
  infoFd: number;
}

/** argv (without the bwrap binary) for a sandbox's long-lived holder: fresh namespaces running `sleep infinity`. */
export function holderBwrapArgs(opts: HolderCommandOptions): string[] {
  // As root, no user namespace: execs switch to an unprivileged host uid with setpriv, so
  // nothing in the sandbox is ever host root (root without caps could still write /proc/sys).
  // Unprivileged, bwrap needs a user namespace; its root maps to the gateway's own uid.
  const args = opts.userns
    ? ['--unshare-all']
    : ['--unshare-ipc', '--unshare-pid', '--unshare-net', '--unshare-uts', '--unshare-cgroup-try'];
  if (opts.network === 'host') args.push('--share-net');
  // No --die-with-parent: the holder outlives a gateway restart and is adopted again.
  args.push(
    '--new-session',
    '--ro-bind',
    '/usr',
    '/usr',
    '--symlink',
    'usr/bin',
    '/bin',
    '--symlink',
    'usr/lib',
    '/lib',
    '--symlink',
    'usr/lib64',
    '/lib64',
    '--symlink',
    'usr/sbin',
    '/sbin',
  );
  // bwrap makes missing parents 0700; the sandbox user must be able to traverse /etc.
  args.push('--perms', '0755', '--dir', '/etc');
  for (const path of ETC_ALLOWLIST) args.push('--ro-bind-try', path, path);
  if (opts.network === 'host') args.push('--ro-bind-try', '/etc/resolv.conf', '/etc/resolv.conf');
  args.push(
    '--proc',
    '/proc',
    '--dev',
    '/dev',
    // World-writable with the sticky bit, like any /tmp: the sandbox user is not root.
    '--perms',
    '1777',
    '--tmpfs',
    '/tmp',
    // The workspace as a directory fd the gateway opened (O_NOFOLLOW).
    '--bind-fd',
    String(opts.workspaceFd),
    SANDBOX_WORKDIR,
    '--chdir',
    SANDBOX_WORKDIR,
    '--hostname',
    'sandbox',
    '--setenv',
    'HOME',
    SANDBOX_WORKDIR,
    '--setenv',
    HOLDER_ID_ENV,
    opts.sandboxId,
    '--cap-drop',
    'ALL',
    '--info-fd',
    String(opts.infoFd),
    'sleep',
    'infinity',
  );
  return args;
}
