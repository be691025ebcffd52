export type LocalIsolation = 'bwrap' | 'none';
export type LocalNetwork = 'none' | 'host';
export type LocalResourceLimits = 'enforce' | 'best-effort';

export interface LocalRuntimeOptions {
  /** Where sandbox directories live: `<dataDir>/<id>/{meta.json,workspace/}`. */
  dataDir: string;
  /** `bwrap` (default) isolates with bubblewrap namespaces; `none` runs on the host, UNSAFE. */
  isolation: LocalIsolation;
  /** `none` (default): only loopback inside; `host`: share the host network. */
  network: LocalNetwork;
  /** Path to the bwrap binary; default: found on PATH, else /usr/bin/bwrap. */
  bwrapPath?: string;
  /**
   * Host uid (and gid) sandbox processes run as when the gateway runs as root; default 65534
   * (nobody). The workspace is chowned to it. Ignored when the gateway is not root (then
   * sandbox processes run as the gateway's uid, root in a user namespace).
   */
  sandboxUid?: number;
  /**
   * `enforce` (default): cpu, memory and pids are capped by a cgroup per sandbox, and creates
   * are refused where the gateway cannot make one. `best-effort`: without cgroups, only rlimits.
   */
  resourceLimits?: LocalResourceLimits;
  /** Install missing bubblewrap and the helper's compiler with apt-get on Debian/Ubuntu as root (default true). */
  installPackages?: boolean;
}

export interface LocalRuntimeLogger {
  warn(msg: string): void;
  log?(msg: string): void;
}
