import { createHash } from 'node:crypto';
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
  type RuntimeHealth,
  type SandboxInfo,
  type SandboxRuntime,
  type SandboxSelector,
  type SandboxSpec,
  type SandboxStatus,
} from '@sandboxed/plugin-sdk';
import { SANDBOX_WORKDIR } from './bwrap.command.js';
import { DEFAULT_PATH, DEFAULT_TTY_SIZE, buildExecCommand, resolveCwd } from './exec.command.js';
import { assertTraversable, DataDirLock } from './data-dir.lock.js';
import { findHolders, isHolderAlive, killHolder, startHolder, type HolderStartOptions } from './holder.process.js';
import { LocalExecSession } from './local-exec.session.js';
import type { LocalRuntimeLogger, LocalRuntimeOptions } from './local-runtime.options.js';
import { getArchive, putArchive } from './sandbox-archive.transfer.js';
import { assertValidSandboxId, isValidSandboxId } from '@sandboxed/plugin-sdk';
import { SandboxCgroups } from './sandbox-cgroup.manager.js';
import { ensureSandboxHelper, findCompiler, isSandboxHelperBuilt } from './sandbox-helper.binary.js';
import { canInstallPackages, installHint, installPackages } from './system-packages.installer.js';
import { SandboxMetaStore, slotOf, type SandboxMeta } from './sandbox-meta.store.js';
import { LocalPoolDriver } from './local-pool.driver.js';
import { parsePoolEntry, slotName } from './pool-entry.names.js';
import { WorkspaceVolumes } from './workspace-volume.manager.js';
import { connectDirect, connectInNamespace } from './sandbox-port.connector.js';

/** What the runtime needs from the host, found once (boot, or the first call). */
interface HostSetup {
  helperPath: string;
  cgroups?: SandboxCgroups;
  /** Why resources are not enforced by cgroups, when they are not. */
  cgroupProblem?: string;
  volumes?: WorkspaceVolumes;
  /** Why workspaces are not bounded volumes, when they are not. */
  volumeProblem?: string;
}

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
 * one detached holder process per sandbox whose namespaces every exec joins through the sandbox helper.
 * The filesystem is the source of truth, so a new instance on the same dataDir adopts everything.
 */
export class LocalRuntime implements SandboxRuntime {
  readonly name = 'local';
  private readonly store: SandboxMetaStore;
  private bwrapPath: string;
  private readonly runAs?: { uid: number; gid: number };
  /** Tags this data dir's holders (see HOLDER_HOME_ENV). */
  private readonly homeTag: string;
  /** In-flight holder (re)starts, so concurrent execs start only one. */
  private readonly starting = new Map<string, Promise<number>>();
  /** Sandboxes being destroyed: new calls on them are 404 at once. */
  private readonly destroying = new Set<string>();
  private hostSetup?: Promise<HostSetup>;
  private lock?: DataDirLock;
  /** Warm pools (local-pool.driver.ts): members are sandbox directories named by their state. */
  readonly pool: LocalPoolDriver;

  constructor(
    private readonly options: LocalRuntimeOptions,
    private readonly logger?: LocalRuntimeLogger,
  ) {
    if (!options.dataDir) throw new InvalidArgumentError('runtime-local: dataDir is required');
    this.store = new SandboxMetaStore(resolve(options.dataDir));
    this.bwrapPath = options.bwrapPath ?? findOnPath('bwrap') ?? '/usr/bin/bwrap';
    this.homeTag = createHash('sha256').update(resolve(options.dataDir)).digest('hex').slice(0, 16);
    // As root, sandbox processes run as an unprivileged host uid (never host root).
    const uid = options.sandboxUid ?? DEFAULT_SANDBOX_UID;
    this.runAs = this.isolated && process.getuid?.() === 0 ? { uid, gid: uid } : undefined;
    this.pool = new LocalPoolDriver({
      store: this.store,
      build: async (name, meta) => {
        await this.build(name, meta, await this.creatable());
      },
      tearDown: async (name, known) => this.tearDown(name, await this.setup(), known),
      statusOf: (meta) => this.statusOf(meta),
      toInfo: (meta, status) => this.toInfo(meta, status),
      log: (message) => (this.logger ?? console).warn(message),
    });
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
    const host = await this.creatable();
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
    // Until the holder runs, execs that find the sandbox (it is listed from here on) wait for it
    // instead of starting a second one.
    const started = this.build(spec.id, meta, host);
    this.starting.set(spec.id, started);
    try {
      await started;
    } finally {
      this.starting.delete(spec.id);
    }
    return this.toInfo(meta, 'running');
  }

  /** The host, once it can make sandboxes (the tools are there, and cgroups unless best-effort). */
  private async creatable(): Promise<HostSetup> {
    const host = await this.setup();
    if (this.isolated) await this.checkTools();
    if (this.isolated && !host.cgroups && this.options.resourceLimits !== 'best-effort') {
      throw new UnavailableError(
        `runtime-local cannot enforce the sandbox's cpu, memory and pids limits: ${host.cgroupProblem}. ` +
          'Run the gateway as root on a host with cgroups, or set the runtime-local option ' +
          '`resourceLimits: best-effort` to accept per-process rlimits only.',
        { reason: host.cgroupProblem },
      );
    }
    return host;
  }

  /**
   * Makes directory `name` (a sandbox id or a pool entry) a running sandbox as `meta` says;
   * resolves to the holder's pid. On failure nothing of it is left.
   */
  private async build(name: string, meta: SandboxMeta, host: HostSetup): Promise<number> {
    try {
      await this.store.createDirs(name, this.runAs);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') throw new ConflictError(`Sandbox ${name} already exists`);
      throw err;
    }
    try {
      return await this.setUp(name, meta, host);
    } catch (err) {
      await this.tearDown(name, host, meta).catch(() => undefined);
      throw err;
    }
  }

  /** A new sandbox's metadata, cgroup, workspace volume and holder; resolves to the holder's pid. */
  private async setUp(name: string, meta: SandboxMeta, host: HostSetup): Promise<number> {
    // Recorded before the holder starts: a crash in between leaves a holder that boot reaps.
    await this.store.write(meta, name);
    if (!this.isolated) return 0;
    const slot = slotOf(meta);
    await host.cgroups?.create(slot, meta.resources);
    if (host.volumes && meta.resources.diskMb) {
      await host.volumes.create(
        this.store.workspaceImage(name),
        this.store.workspaceDir(name),
        meta.resources.diskMb,
        this.runAs,
      );
    }
    meta.holder = await startHolder(this.holderOptions(name, slot, host, meta));
    await this.store.write(meta, name);
    return meta.holder.childPid;
  }

  /**
   * Kills, releases and removes what directory `name` holds: its holder, everything in its
   * cgroup, its workspace volume, the directory. `known` is the caller's newer copy of its
   * meta.json (a holder started but not yet recorded).
   */
  private async tearDown(name: string, host: HostSetup, known?: SandboxMeta): Promise<void> {
    const meta = known ?? (await this.store.readEntry(name));
    const entry = parsePoolEntry(name);
    const slot = meta ? slotOf(meta) : entry ? slotName(entry.key) : name;
    await killHolder(meta?.holder, slot);
    // Everything else the sandbox still runs (execs in flight, their orphans) is in its cgroup.
    await host.cgroups?.destroy(slot);
    await this.releaseVolume(name, host);
    await this.store.remove(name);
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
    this.destroying.add(id);
    try {
      await this.starting.get(id)?.catch(() => undefined);
      await this.tearDown(id, await this.setup());
    } finally {
      this.destroying.delete(id);
    }
  }

  async exec(id: string, req: ExecRequest): Promise<ExecSession> {
    const host = await this.setup();
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
    const targetPid = this.isolated ? await this.ensureHolder(meta, host) : undefined;
    const cmd = buildExecCommand({
      helperPath: host.helperPath,
      argv: req.argv,
      cwd: resolveCwd(workdir, req.cwd),
      env,
      resources: meta.resources,
      ...(tty ? { tty } : {}),
      ...(targetPid !== undefined ? { target: { pid: targetPid, sandboxId: slotOf(meta) } } : {}),
      ...(this.runAs ? { runAs: this.runAs } : {}),
      cgroups: this.isolated ? (host.cgroups?.dirs(slotOf(meta)) ?? []) : [],
      ...(req.keepBackground ? { keepBackground: true } : {}),
    });
    return LocalExecSession.start({
      ...cmd,
      timeoutMs: req.timeoutMs,
      tty: tty !== undefined,
      resizer: { helperPath: host.helperPath, ...(this.runAs ? { runAs: this.runAs } : {}) },
    });
  }

  async putArchive(id: string, dir: string, tar: Readable): Promise<void> {
    await this.require(id);
    await putArchive((req) => this.exec(id, req), this.workdirFor(id), dir, tar);
  }

  async getArchive(id: string, path: string): Promise<Readable> {
    await this.require(id);
    return getArchive((req) => this.exec(id, req), this.workdirFor(id), path);
  }

  get sandboxNetworkIsolated(): boolean {
    return this.isolated && this.options.network !== 'host';
  }

  async connect(id: string, port: number): Promise<Duplex> {
    const meta = await this.require(id);
    if (!Number.isInteger(port) || port < 1 || port > 65535) throw new InvalidArgumentError(`Invalid port: ${port}`);
    if (!this.sandboxNetworkIsolated) return connectDirect(port);
    const host = await this.setup();
    const target = { pid: await this.ensureHolder(meta, host), sandboxId: slotOf(meta) };
    return connectInNamespace(host.helperPath, target, port, this.runAs);
  }

  async close(): Promise<void> {
    // Holders are deliberately left running: sandboxes outlive this process.
    await this.lock?.release();
  }

  /**
   * Boot: lock the data dir (one gateway per data dir), build the helper, find the cgroups, and
   * reap holders no sandbox records (left by a crash between starting one and recording it).
   */
  async start(): Promise<void> {
    let host: HostSetup;
    try {
      host = await this.setup();
    } catch (err) {
      if (err instanceof ConflictError) throw err;
      // Boot goes on; /health reports the reason and creates fail with it.
      (this.logger ?? console).warn((err as Error).message);
      return;
    }
    if (this.isolated && host.cgroupProblem) {
      (this.logger ?? console).warn(
        `runtime-local: sandboxes get no cgroup (cpu, memory and pids limits): ${host.cgroupProblem}` +
          (this.options.resourceLimits === 'best-effort'
            ? '; resourceLimits is best-effort, so only per-process rlimits apply'
            : '; creates are refused until this is fixed or resourceLimits is set to best-effort'),
      );
    }
    if (this.isolated) await this.checkTools().catch((err: Error) => (this.logger ?? console).warn(err.message));
    if (this.isolated && host.volumeProblem) {
      (this.logger ?? console).warn(`runtime-local: workspace disk use is not bounded: ${host.volumeProblem}`);
    }
    // Pool entries a crashed gateway left halfway through a claim or recycle, then holders no one records.
    await this.pool.sweep();
    if (this.isolated) await this.reapStrayHolders();
  }

  async health(): Promise<RuntimeHealth> {
    const reasons: string[] = [];
    try {
      const host = await this.setup();
      if (this.isolated) await this.checkTools();
      if (this.isolated && host.cgroupProblem) reasons.push(`no cgroup limits: ${host.cgroupProblem}`);
      if (this.isolated && host.volumeProblem) reasons.push(`workspace disk use is not bounded: ${host.volumeProblem}`);
    } catch (err) {
      reasons.push((err as Error).message);
    }
    return { status: reasons.length > 0 ? 'degraded' : 'ok', reasons };
  }

  private setup(): Promise<HostSetup> {
    this.hostSetup ??= this.findHostSetup().catch((err: unknown) => {
      this.hostSetup = undefined;
      throw err;
    });
    return this.hostSetup;
  }

  private async findHostSetup(): Promise<HostSetup> {
    this.lock = await DataDirLock.acquire(this.store.dataDir);
    await this.installMissingPackages();
    if (this.isolated && this.runAs) await assertTraversable(this.store.dataDir, this.runAs.uid);
    const helperPath = await ensureSandboxHelper(this.helperCacheDir);
    if (!this.isolated) return { helperPath };
    const [cgroups, volumes] = await Promise.all([SandboxCgroups.detect(), WorkspaceVolumes.detect()]);
    return {
      helperPath,
      ...(cgroups instanceof SandboxCgroups ? { cgroups } : { cgroupProblem: cgroups.unavailable }),
      ...(volumes instanceof WorkspaceVolumes ? { volumes } : { volumeProblem: volumes.unavailable }),
    };
  }

  /** On Debian/Ubuntu as root, installs what is missing: bubblewrap, the helper's compiler, mkfs.ext4. */
  private async installMissingPackages(): Promise<void> {
    const missing: string[] = [];
    if (this.isolated && !this.options.bwrapPath && !existsSync(this.bwrapPath)) missing.push('bubblewrap');
    if (!(await isSandboxHelperBuilt(this.helperCacheDir)) && !(await findCompiler())) missing.push('gcc', 'libc6-dev');
    if (this.isolated && !existsSync('/usr/sbin/mkfs.ext4')) missing.push('e2fsprogs');
    if (missing.length === 0 || this.options.installPackages === false || !canInstallPackages()) return;
    const log = this.logger ?? console;
    log.warn(`runtime-local: ${missing.join(', ')} missing; installing with apt-get (Debian/Ubuntu, running as root)`);
    try {
      await installPackages(missing);
      this.bwrapPath = findOnPath('bwrap') ?? '/usr/bin/bwrap';
      log.warn(`runtime-local: installed ${missing.join(', ')}`);
    } catch (err) {
      log.warn(`runtime-local: could not install ${missing.join(', ')}: ${(err as Error).message}`);
    }
  }

  private get helperCacheDir(): string {
    return join(this.store.dataDir, '.helper');
  }

  private async releaseVolume(name: string, host: HostSetup): Promise<void> {
    if (!host.volumes || (!isValidSandboxId(name) && !parsePoolEntry(name))) return;
    if (!existsSync(this.store.sandboxDir(name))) return;
    await host.volumes.release(this.store.workspaceImage(name), this.store.workspaceDir(name));
  }

  private async reapStrayHolders(): Promise<void> {
    const holders = await findHolders(this.homeTag);
    if (holders.length === 0) return;
    // Holders are tagged with the slot (the id, or a pool member's pool-<key> for life).
    const bySlot = new Map<string, SandboxMeta>();
    for (const name of await this.store.entries()) {
      if (!isValidSandboxId(name) && !parsePoolEntry(name)) continue;
      const meta = await this.store.readEntry(name);
      if (meta) bySlot.set(slotOf(meta), meta);
    }
    for (const { pid, sandboxId } of holders) {
      const meta = bySlot.get(sandboxId);
      if (meta?.holder && (meta.holder.pid === pid || meta.holder.childPid === pid)) continue;
      this.logger?.log?.(`runtime-local: reaping holder ${pid} of sandbox ${sandboxId}, which no sandbox records`);
      await killHolder({ pid, childPid: pid }, sandboxId);
    }
  }

  private async require(id: string): Promise<SandboxMeta> {
    const meta = this.destroying.has(id) ? undefined : await this.store.read(id);
    if (!meta) throw new NotFoundError(`Sandbox ${String(id).slice(0, 200)} not found`);
    return meta;
  }

  private async checkTools(): Promise<void> {
    try {
      await access(this.bwrapPath, constants.X_OK);
    } catch {
      throw new UnavailableError(
        `runtime-local: bubblewrap is not installed (no executable at ${this.bwrapPath}). ` +
          `Install it (\`${installHint(['bubblewrap'])}\`), set runtime-local option \`bwrapPath\`, ` +
          'or set `isolation: none` (UNSAFE: no isolation).',
        { bwrapPath: this.bwrapPath },
      );
    }
  }

  /** The holder of directory `name`, tagged (and its cgroup named) `slot`. */
  private holderOptions(name: string, slot: string, host: HostSetup, meta: SandboxMeta): HolderStartOptions {
    return {
      sandboxId: slot,
      homeTag: this.homeTag,
      helperPath: host.helperPath,
      bwrapPath: this.bwrapPath,
      cgroups: host.cgroups?.dirs(slot) ?? [],
      ...(this.runAs ? { runAs: this.runAs } : {}),
      ...(meta.resources.diskMb ? { tmpBytes: meta.resources.diskMb * 1024 * 1024 } : {}),
      workspace: this.store.workspaceDir(name),
      network: this.options.network,
      logPath: this.store.holderLogPath(name),
    };
  }

  private async statusOf(meta: SandboxMeta): Promise<SandboxStatus> {
    if (!this.isolated) return 'running';
    if (this.starting.has(meta.id)) return 'starting';
    // A dead holder is restarted on next use; until then the sandbox is stopped.
    return (await isHolderAlive(meta.holder, slotOf(meta))) ? 'running' : 'stopped';
  }

  /** The pid whose namespaces execs join: the live holder's, or a freshly started one (after a reboot or a kill). */
  private async ensureHolder(meta: SandboxMeta, host: HostSetup): Promise<number> {
    if (meta.holder && (await isHolderAlive(meta.holder, slotOf(meta)))) return meta.holder.childPid;
    const inFlight = this.starting.get(meta.id);
    if (inFlight) return inFlight;
    const start = (async () => {
      const current = await this.require(meta.id);
      const slot = slotOf(current);
      if (current.holder && (await isHolderAlive(current.holder, slot))) return current.holder.childPid;
      await this.checkTools();
      await killHolder(current.holder, slot);
      this.logger?.log?.(`runtime-local: starting the holder of sandbox ${meta.id}`);
      await host.cgroups?.create(slot, current.resources);
      await host.volumes?.ensureMounted(this.store.workspaceImage(meta.id), this.store.workspaceDir(meta.id));
      current.holder = await startHolder(this.holderOptions(meta.id, slot, host, current));
      await this.store.write(current);
      return current.holder.childPid;
    })();
    this.starting.set(meta.id, start);
    try {
      return await start;
    } catch (err) {
      // Deleted while we were starting it: that is a missing sandbox, not a broken one.
      if (this.destroying.has(meta.id) || !(await this.store.read(meta.id))) {
        throw new NotFoundError(`Sandbox ${meta.id} not found`);
      }
      throw err;
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
