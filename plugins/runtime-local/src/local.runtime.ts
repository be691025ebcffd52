import { constants, existsSync } from 'node:fs';
import { access } from 'node:fs/promises';
import { delimiter, join, resolve } from 'node:path';
import type { Duplex, Readable } from 'node:stream';
import {
  ConflictError,
  InvalidArgumentError,
  NotFoundError,
  UnavailableError,
  type ExecRequest,
  type ExecSession,
  type SandboxInfo,
  type SandboxRuntime,
  type SandboxSelector,
  type SandboxSpec,
  type SandboxStatus,
} from '@sandboxed/plugin-sdk';
import { SANDBOX_WORKDIR } from './bwrap.command.js';
import { DEFAULT_PATH, DEFAULT_TTY_SIZE, buildExecCommand, resolveCwd } from './exec.command.js';
import { isHolderAlive, killHolder, startHolder, type HolderStartOptions } from './holder.process.js';
import { LocalExecSession } from './local-exec.session.js';
import type { LocalRuntimeLogger, LocalRuntimeOptions } from './local-runtime.options.js';
import { getArchive, putArchive } from './sandbox-archive.transfer.js';
import { assertValidSandboxId, isValidSandboxId } from '@sandboxed/plugin-sdk';
import { SandboxMetaStore, type SandboxMeta } from './sandbox-meta.store.js';
import { connectDirect, connectInNamespace } from './sandbox-port.connector.js';

/** `nobody`: the host uid sandbox processes run as when the gateway is root. */
const DEFAULT_SANDBOX_UID = 65534;

function findOnPath(bin: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir && existsSync(join(dir, bin))) return join(dir, bin);
  }
  return undefined;
}

function validateExecRequest(req: ExecRequest): void {
  if (
    !Array.isArray(req.argv) ||
    req.argv.length === 0 ||
    !req.argv.every((a) => typeof a === 'string' && !a.includes('\0'))
  ) {
    throw new InvalidArgumentError('argv must be a non-empty array of strings without NUL bytes');
  }
  for (const [k, v] of Object.entries(req.env ?? {})) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(k) || typeof v !== 'string' || v.includes('\0')) {
      throw new InvalidArgumentError(`Invalid environment variable: ${k.slice(0, 100)}`);
    }
  }
  if (req.cwd !== undefined && (typeof req.cwd !== 'string' || req.cwd.includes('\0'))) {
    throw new InvalidArgumentError('Invalid cwd');
  }
}

/**
 * Sandboxes on this host: `<dataDir>/<id>/{meta.json,workspace/}` plus, with bwrap isolation,
 * one detached holder process per sandbox whose namespaces every exec joins with nsenter.
 * The filesystem is the source of truth, so a new instance on the same dataDir adopts everything.
 */
export class LocalRuntime implements SandboxRuntime {
  readonly name = 'local';
  private readonly store: SandboxMetaStore;
  private readonly bwrapPath: string;
  private readonly nsenterPath: string;
  private readonly runAs?: { uid: number; gid: number };
  /** In-flight holder (re)starts, so concurrent execs start only one. */
  private readonly starting = new Map<string, Promise<number>>();

  constructor(
    private readonly options: LocalRuntimeOptions,
    private readonly logger?: LocalRuntimeLogger,
  ) {
    if (!options.dataDir) throw new InvalidArgumentError('runtime-local: dataDir is required');
    this.store = new SandboxMetaStore(resolve(options.dataDir));
    this.bwrapPath = options.bwrapPath ?? findOnPath('bwrap') ?? '/usr/bin/bwrap';
    this.nsenterPath = findOnPath('nsenter') ?? '/usr/bin/nsenter';
    // As root, sandbox processes run as an unprivileged host uid (never host root).
    const uid = options.sandboxUid ?? DEFAULT_SANDBOX_UID;
    this.runAs = this.isolated && process.getuid?.() === 0 ? { uid, gid: uid } : undefined;
    if (options.isolation === 'none') {
      (logger ?? console).warn(
        'runtime-local: isolation is "none": sandboxed commands run directly on this host, as the gateway user, ' +
          'with no filesystem, process or network isolation. Use only for trusted code in development.',
      );
    }
  }

  private get isolated(): boolean {
    return this.options.isolation !== 'none';
  }

  private workdirFor(id: string): string {
    return this.isolated ? SANDBOX_WORKDIR : this.store.workspaceDir(id);
  }

  async create(spec: SandboxSpec): Promise<SandboxInfo> {
    assertValidSandboxId(spec.id);
    if (this.isolated) await this.checkTools();
    try {
      await this.store.createDirs(spec.id, this.runAs);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST')
        throw new ConflictError(`Sandbox ${spec.id} already exists`);
      throw err;
    }
    const meta: SandboxMeta = {
      id: spec.id,
      owner: spec.owner,
      template: spec.template,
      labels: { ...spec.labels },
      env: { ...spec.env },
      resources: { ...spec.resources },
      createdAt: new Date().toISOString(),
      expiresAt: new Date(spec.expiresAt).toISOString(),
    };
    try {
      await this.store.write(meta);
      if (this.isolated) {
        meta.holder = await startHolder(this.holderOptions(spec.id));
        await this.store.write(meta);
      }
    } catch (err) {
      await killHolder(meta.holder, spec.id).catch(() => undefined);
      await this.store.remove(spec.id).catch(() => undefined);
      throw err;
    }
    return this.toInfo(meta, 'running');
  }

  async get(id: string): Promise<SandboxInfo | undefined> {
    const meta = await this.store.read(id);
    return meta && this.toInfo(meta, await this.statusOf(meta));
  }

  async list(selector: SandboxSelector = {}): Promise<SandboxInfo[]> {
    const metas = (await this.store.readAll()).filter(
      (m) =>
        (selector.owner === undefined || m.owner === selector.owner) &&
        Object.entries(selector.labels ?? {}).every(([k, v]) => m.labels[k] === v),
    );
    return Promise.all(metas.map(async (m) => this.toInfo(m, await this.statusOf(m))));
  }

  async destroy(id: string): Promise<void> {
    if (!isValidSandboxId(id)) return;
    await this.starting.get(id)?.catch(() => undefined);
    const meta = await this.store.read(id);
    if (meta) await killHolder(meta.holder, id);
    await this.store.remove(id);
  }

  async exec(id: string, req: ExecRequest): Promise<ExecSession> {
    const meta = await this.require(id);
    validateExecRequest(req);
    const workdir = this.workdirFor(id);
    const tty = req.tty ? { ...DEFAULT_TTY_SIZE } : undefined;
    const env: Record<string, string> = {
      PATH: DEFAULT_PATH,
      HOME: workdir,
      LANG: 'C.UTF-8',
      ...(tty ? { TERM: 'xterm-256color', COLUMNS: String(tty.cols), LINES: String(tty.rows), SHELL: '/bin/sh' } : {}),
      ...meta.env,
      ...req.env,
    };
    const join = this.isolated
      ? { nsenterPath: this.nsenterPath, targetPid: await this.ensureHolder(meta), userns: this.runAs === undefined }
      : undefined;
    const cwd = resolveCwd(workdir, req.cwd);
    const cmd = buildExecCommand({ argv: req.argv, cwd, resources: meta.resources, tty, join, runAs: this.runAs });
    return LocalExecSession.start({ ...cmd, env, timeoutMs: req.timeoutMs, tty: tty !== undefined });
  }

  async putArchive(id: string, dir: string, tar: Readable): Promise<void> {
    await this.require(id);
    await putArchive((req) => this.exec(id, req), this.workdirFor(id), dir, tar);
  }

  async getArchive(id: string, path: string): Promise<Readable> {
    await this.require(id);
    return getArchive((req) => this.exec(id, req), this.workdirFor(id), path);
  }

  async connect(id: string, port: number): Promise<Duplex> {
    const meta = await this.require(id);
    if (!Number.isInteger(port) || port < 1 || port > 65535) throw new InvalidArgumentError(`Invalid port: ${port}`);
    if (!this.isolated || this.options.network === 'host') return connectDirect(port);
    return connectInNamespace(this.nsenterPath, await this.ensureHolder(meta), port);
  }

  async close(): Promise<void> {
    // Holders are deliberately left running: sandboxes outlive this process.
  }

  private async require(id: string): Promise<SandboxMeta> {
    const meta = await this.store.read(id);
    if (!meta) throw new NotFoundError(`Sandbox ${String(id).slice(0, 200)} not found`);
    return meta;
  }

  private async checkTools(): Promise<void> {
    try {
      await access(this.bwrapPath, constants.X_OK);
    } catch {
      throw new UnavailableError(
        `runtime-local: bubblewrap is not installed (no executable at ${this.bwrapPath}). ` +
          'Install it (Debian/Ubuntu: `apt-get install bubblewrap`), set runtime-local option `bwrapPath`, ' +
          'or set `isolation: none` (UNSAFE: no isolation).',
        { bwrapPath: this.bwrapPath },
      );
    }
    try {
      await access(this.nsenterPath, constants.X_OK);
    } catch {
      throw new UnavailableError(
        `runtime-local: nsenter is not installed (no executable at ${this.nsenterPath}). Install util-linux.`,
      );
    }
  }

  private holderOptions(id: string): HolderStartOptions {
    return {
      sandboxId: id,
      userns: this.runAs === undefined,
      bwrapPath: this.bwrapPath,
      workspace: this.store.workspaceDir(id),
      network: this.options.network,
      logPath: this.store.holderLogPath(id),
    };
  }

  private async statusOf(meta: SandboxMeta): Promise<SandboxStatus> {
    if (!this.isolated) return 'running';
    if (this.starting.has(meta.id)) return 'starting';
    // A dead holder is restarted on next use; until then the sandbox is stopped.
    return (await isHolderAlive(meta.holder, meta.id)) ? 'running' : 'stopped';
  }

  /** The pid to nsenter: the live holder's, or a freshly started one (after a reboot or a kill). */
  private async ensureHolder(meta: SandboxMeta): Promise<number> {
    if (meta.holder && (await isHolderAlive(meta.holder, meta.id))) return meta.holder.childPid;
    const inFlight = this.starting.get(meta.id);
    if (inFlight) return inFlight;
    const start = (async () => {
      const current = await this.require(meta.id);
      if (current.holder && (await isHolderAlive(current.holder, meta.id))) return current.holder.childPid;
      await this.checkTools();
      await killHolder(current.holder, meta.id);
      this.logger?.log?.(`runtime-local: starting the holder of sandbox ${meta.id}`);
      current.holder = await startHolder(this.holderOptions(meta.id));
      await this.store.write(current);
      return current.holder.childPid;
    })();
    this.starting.set(meta.id, start);
    try {
      return await start;
    } finally {
      this.starting.delete(meta.id);
    }
  }

  private toInfo(meta: SandboxMeta, status: SandboxStatus): SandboxInfo {
    return {
      id: meta.id,
      owner: meta.owner,
      template: meta.template,
      labels: { ...meta.labels },
      resources: { ...meta.resources },
      status,
      createdAt: new Date(meta.createdAt),
      expiresAt: new Date(meta.expiresAt),
      runtime: this.name,
      workdir: this.workdirFor(meta.id),
    };
  }
}
