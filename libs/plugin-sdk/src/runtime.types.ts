import type { Duplex, Readable, Writable } from 'node:stream';
import type { SandboxPoolDriver } from './sandbox-pool.types.js';

export interface SandboxResources {
  /** CPU cores (fractions allowed). */
  cpu?: number;
  memoryMb?: number;
  /** Most processes (and threads) at once. */
  pids?: number;
  /** Disk in MiB, for the workspace and, separately, /tmp. */
  diskMb?: number;
}

export interface SandboxSpec {
  /** Unguessable id chosen by the kernel. */
  id: string;
  owner: string;
  template: string;
  env: Record<string, string>;
  labels: Record<string, string>;
  resources: SandboxResources;
  expiresAt: Date;
}

export type SandboxStatus = 'running' | 'stopped' | 'starting' | 'error';

export interface SandboxInfo {
  id: string;
  owner: string;
  template: string;
  labels: Record<string, string>;
  resources: SandboxResources;
  status: SandboxStatus;
  createdAt: Date;
  expiresAt: Date;
  /** Name of the runtime that holds it. */
  runtime: string;
  /** Absolute working directory inside the sandbox; relative paths resolve against it. */
  workdir: string;
}

export interface SandboxSelector {
  owner?: string;
  labels?: Record<string, string>;
}

export interface ExecRequest {
  /** Program and arguments, run directly (no shell). */
  argv: string[];
  cwd?: string;
  env?: Record<string, string>;
  /** Allocate a terminal (stdout and stderr merge). */
  tty?: boolean;
  /** Kill the whole process tree after this many milliseconds. */
  timeoutMs?: number;
  /**
   * Let processes this exec leaves running in the background outlive it: only for launching
   * background work (process.start's supervisor). Without it, when the exec ends (exit, timeout
   * or kill()), nothing it started is left running, including processes that called setsid.
   * A timeout or kill() ends every descendant either way.
   */
  keepBackground?: boolean;
  /**
   * A built-in of the sandbox agent that does exactly what argv does (the same stdout, stderr
   * phrases and exit code), which the agent runs without starting a shell or coreutils. Where no
   * agent serves the sandbox, argv runs as usual: a runtime itself never looks at this.
   */
  builtin?: ExecBuiltin;
}

/** A named built-in and its arguments (see docs/agent.md for the list and what each equals). */
export interface ExecBuiltin {
  name: string;
  args: string[];
}

export interface ExecExit {
  exitCode: number | null;
  signal: string | null;
  timedOut: boolean;
}

/** A running command. Streams end when the process exits; `wait()` resolves after both streams end. */
export interface ExecSession {
  readonly stdout: Readable;
  readonly stderr: Readable;
  readonly stdin: Writable;
  resize(cols: number, rows: number): Promise<void>;
  /** Kills the whole process tree. Idempotent. */
  kill(signal?: NodeJS.Signals): Promise<void>;
  wait(): Promise<ExecExit>;
}

/**
 * Where sandboxes live. Every runtime passes the conformance suite in `@sandboxed/testing`.
 */
export interface SandboxRuntime {
  readonly name: string;
  create(spec: SandboxSpec): Promise<SandboxInfo>;
  get(id: string): Promise<SandboxInfo | undefined>;
  list(selector?: SandboxSelector): Promise<SandboxInfo[]>;
  /** Idempotent: destroying an unknown sandbox is not an error. */
  destroy(id: string): Promise<void>;
  exec(id: string, req: ExecRequest): Promise<ExecSession>;
  /** Extracts a tar stream into `dir` (absolute, inside the sandbox). */
  putArchive(id: string, dir: string, tar: Readable): Promise<void>;
  /** Returns a tar stream of `path` (absolute, inside the sandbox). */
  getArchive(id: string, path: string): Promise<Readable>;
  /** A TCP connection to `port` inside the sandbox. */
  connect(id: string, port: number): Promise<Duplex>;
  /**
   * False when sandboxes share one network namespace (with each other or the host), so a port one
   * sandbox listens on is reachable from the others; absent means each has its own.
   */
  readonly sandboxNetworkIsolated?: boolean;
  /**
   * Absolute path inside every sandbox where the operator's setup already put the sandbox agent
   * (the kubernetes runtime's `agentImage` installs it from an init container into a read-only
   * volume). Set only from the runtime's own config, never from a request. The gateway starts the
   * agent there instead of copying one in, and copies one in when that one does not answer with
   * its protocol version (a pod created before the option, a stale image). Absent: no agent is
   * preinstalled.
   */
  readonly preinstalledAgentPath?: string;
  /** Releases engine resources held by this process (not the sandboxes). */
  close?(): Promise<void>;
  /** What the runtime cannot do right now, for `/health` and boot (absent: always ok). */
  health?(): Promise<RuntimeHealth>;
  /** Warm pools (sandbox-pool.types.ts); absent: this runtime never pools. */
  readonly pool?: SandboxPoolDriver;
}

export interface RuntimeHealth {
  /** `degraded`: it runs, but something (named in `reasons`) is missing or weaker than asked. */
  status: 'ok' | 'degraded';
  reasons: string[];
}

/** Where runtime plugins register themselves; the kernel picks one by `runtime.default`. */
export interface RuntimeRegistry {
  register(runtime: SandboxRuntime): void;
  get(name: string): SandboxRuntime | undefined;
  names(): string[];
}
