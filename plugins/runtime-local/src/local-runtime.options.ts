export type LocalIsolation = 'bwrap' | 'none';
export type LocalNetwork = 'none' | 'host';

export interface LocalRuntimeOptions {
  /** Where sandbox directories live: `<dataDir>/<id>/{meta.json,workspace/}`. */
  dataDir: string;
  /** `bwrap` (default) isolates with bubblewrap namespaces; `none` runs on the host, UNSAFE. */
  isolation: LocalIsolation;
  /** `none` (default): only loopback inside; `host`: share the host network. */
  network: LocalNetwork;
  /** Path to the bwrap binary; default: found on PATH, else /usr/bin/bwrap. */
  bwrapPath?: string;
}

export interface LocalRuntimeLogger {
  warn(msg: string): void;
  log?(msg: string): void;
}
