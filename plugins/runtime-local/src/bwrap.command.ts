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

export interface HolderCommandOptions {
  /** Host path of the sandbox's workspace directory. */
  workspace: string;
  network: LocalNetwork;
  /** File descriptor (in bwrap) where it writes `{"child-pid": N, ...}`. */
  infoFd: number;
}

/** argv (without the bwrap binary) for a sandbox's long-lived holder: fresh namespaces running `sleep infinity`. */
export function holderBwrapArgs(opts: HolderCommandOptions): string[] {
  const args = ['--unshare-all'];
  if (opts.network === 'host') args.push('--share-net');
  // No --die-with-parent: the holder outlives a gateway restart and is adopted again.
  args.push(
    '--new-session',
    '--ro-bind', '/usr', '/usr',
    '--symlink', 'usr/bin', '/bin',
    '--symlink', 'usr/lib', '/lib',
    '--symlink', 'usr/lib64', '/lib64',
    '--symlink', 'usr/sbin', '/sbin',
  );
  for (const path of ETC_ALLOWLIST) args.push('--ro-bind-try', path, path);
  if (opts.network === 'host') args.push('--ro-bind-try', '/etc/resolv.conf', '/etc/resolv.conf');
  args.push(
    '--proc', '/proc',
    '--dev', '/dev',
    '--tmpfs', '/tmp',
    '--bind', opts.workspace, SANDBOX_WORKDIR,
    '--chdir', SANDBOX_WORKDIR,
    '--hostname', 'sandbox',
    '--setenv', 'HOME', SANDBOX_WORKDIR,
    '--cap-drop', 'ALL',
    '--info-fd', String(opts.infoFd),
    'sleep', 'infinity',
  );
  return args;
}
