import type { LocalNetwork } from './local-runtime.options.js';

/** The mount point of the workspace inside the sandbox. */
export const SANDBOX_WORKDIR = '/workspace';

/**
 * The only /etc entries a sandbox sees (never the whole /etc): the dynamic linker's
 * config, users and groups for `id`/`ls -l`, name service config, CA certificates,
 * the time zone, terminfo and fontconfig's config (without it every font family falls back
 * to one font, so the host's Chromium renders monospace and sans-serif pages alike).
 * resolv.conf is added only with host networking.
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
  '/etc/fonts',
];

/** Marks a holder's command line with its sandbox id (checked before trusting a stored pid). */
export const HOLDER_ID_ENV = 'SANDBOXED_SANDBOX_ID';
/** Marks a holder's command line with the data dir it belongs to (a hash, not the host path). */
export const HOLDER_HOME_ENV = 'SANDBOXED_HOME';

export interface HolderCommandOptions {
  sandboxId: string;
  /** Hash of the data dir, so a gateway reaps only its own stray holders. */
  homeTag: string;
  /** File descriptor (in bwrap) of the open workspace directory, bound on /workspace. */
  workspaceFd: number;
  network: LocalNetwork;
  /** File descriptor (in bwrap) where it writes `{"child-pid": N, ...}`. */
  infoFd: number;
  /** Size of the sandbox's /tmp in bytes; unbounded tmpfs when absent. */
  tmpBytes?: number;
}

/**
 * argv (without the bwrap binary) for a sandbox's long-lived holder: fresh namespaces running
 * `sleep infinity`. bwrap always runs unprivileged (the sandbox helper drops to the sandbox uid
 * first), so the sandbox lives in a user namespace owned by that uid, and nested user
 * namespaces are disabled inside it.
 */
export function holderBwrapArgs(opts: HolderCommandOptions): string[] {
  const args = ['--unshare-all', '--unshare-user', '--disable-userns'];
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
  args.push('--proc', '/proc', '--dev', '/dev');
  // World-writable with the sticky bit, like any /tmp.
  args.push('--perms', '1777');
  if (opts.tmpBytes !== undefined) args.push('--size', String(opts.tmpBytes));
  args.push(
    '--tmpfs',
    '/tmp',
    // The workspace as a directory fd the gateway opened (O_NOFOLLOW).
    '--bind-fd',
    String(opts.workspaceFd),
    SANDBOX_WORKDIR,
    '--chdir',
    SANDBOX_WORKDIR,
    // The skeleton (/, /etc, the /bin links) belongs to the sandbox uid in its user namespace:
    // read-only, so the sandbox cannot reshape its own root.
    '--remount-ro',
    '/',
    '--hostname',
    'sandbox',
    '--setenv',
    'HOME',
    SANDBOX_WORKDIR,
    '--setenv',
    HOLDER_HOME_ENV,
    opts.homeTag,
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
