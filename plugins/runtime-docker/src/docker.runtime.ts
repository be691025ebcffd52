import { randomBytes } from 'node:crypto';
import type { Duplex, Readable } from 'node:stream';
import type Docker from 'dockerode';
import type { Container, ContainerInfo, ContainerInspectInfo } from 'dockerode';
import {
  ConflictError,
  InvalidArgumentError,
  NotFoundError,
  UnavailableError,
  SandboxedError,
  type ExecRequest,
  type ExecSession,
  type SandboxInfo,
  type SandboxRuntime,
  type SandboxSelector,
  type SandboxSpec,
  type SandboxStatus,
  sandboxInfo,
  bridgeArgv,
  DOCKER_SUBREAPER,
  KILLER_DONE,
  killerArgv,
  wrapArgv,
  resolveExecCwd,
  resolveSandboxPath,
  validateExecRequest,
  templateOf,
} from '@sandboxed/plugin-sdk';
import { ownArchiveEntries } from './archive-owner.transform.js';
import {
  buildContainerSpec,
  envList,
  SANDBOX_GID,
  SANDBOX_UID,
  SANDBOX_USER,
  SANDBOX_WORKDIR,
} from './container-spec.builder.js';
import { buildHintFor } from './default-templates.js';
import { createDockerClient, type DockerClient } from './docker-client.factory.js';
import {
  containerStateError,
  engineMessage,
  mapEngineError,
  statusOf as httpStatusOf,
  withDeadline,
} from './docker-error.mapper.js';
import { DockerExecSession } from './docker-exec.session.js';
import type { DockerRuntimeLogger, DockerRuntimeOptions, DockerTemplate } from './docker-runtime.options.js';
import { ClaimRecords } from './claim-record.store.js';
import { DockerPoolDriver } from './docker-pool.driver.js';
import { claimVolumeName, isMemberName, isPoolKey, poolName, POOL_LABELS } from './pool-member.codec.js';
import { reconcilePool } from './pool-member.reconciler.js';
import { runToEnd } from './exec-output.reader.js';
import { bridgeToDuplex } from './port-bridge.connector.js';
import { probeEngineRuntime } from './engine-runc.probe.js';
import { ensureBridgeNetwork } from './bridge-network.js';
import { DISK_VOLUME_LABEL, isQuotaRefusal, quotaCapable, TMPFS_DIRS, type DiskLimitMode } from './disk-limit.js';
import { assessRunc, runcWarning, type RuncAssessment } from './runc-version.check.js';
import { assertValidSandboxId, isValidSandboxId } from '@sandboxed/plugin-sdk';
import {
  containerName,
  decodeLabels,
  labelFilters,
  LABELS,
  statusOf,
  type SandboxRecord,
} from './sandbox-labels.codec.js';

export interface ReconcileResult {
  adopted: string[];
  reaped: string[];
}

const TTY_ENV = { TERM: 'xterm-256color', COLUMNS: '80', LINES: '24' };

/** The engine would not take StorageOpt.size (its storage driver has no quota). */
class QuotaRefused extends Error {}
const KILL_ATTEMPTS = 20;

/**
 * Sandboxes as hardened containers through dockerode: one container per sandbox, all state in
 * its labels, so any gateway process on the same engine sees (and adopts) the same sandboxes.
 */
export class DockerRuntime implements SandboxRuntime {
  readonly name = 'docker';
  private readonly docker: Docker;
  private readonly endpoint: string;
  private bridge?: Promise<void>;
  private disk?: Promise<DiskLimitMode>;
  private readonly claims: ClaimRecords;
  readonly pool: DockerPoolDriver;

  constructor(
    private readonly options: DockerRuntimeOptions,
    private readonly logger?: DockerRuntimeLogger,
    client: DockerClient = createDockerClient(options.socketPath),
  ) {
    this.docker = client.docker;
    this.endpoint = client.endpoint;
    this.claims = new ClaimRecords(this.docker, (work, what) => this.call(work, what));
    this.pool = new DockerPoolDriver({
      docker: this.docker,
      options: this.options,
      claims: this.claims,
      call: (work, what) => this.call(work, what),
      mapError: (err) => this.mapError(err),
      start: (template, build) => this.startContainer(template, build),
      toInfo: (record, status) => this.toInfo(record, status),
      execIn: (container, label, req) => this.execIn(container, label, req),
      putArchiveIn: (container, label, dir, tar) => this.putArchiveIn(container, label, dir, tar),
    });
  }

  templateNames(): string[] {
    return Object.keys(this.options.templates);
  }

  async create(spec: SandboxSpec): Promise<SandboxInfo> {
    assertValidSandboxId(spec.id);
    const createdAt = new Date();
    const body = await this.startContainer(spec.template, (template, disk) =>
      buildContainerSpec(spec, template, this.options, createdAt, disk),
    );
    return this.toInfo(
      {
        id: spec.id,
        owner: spec.owner,
        template: spec.template,
        labels: { ...spec.labels },
        resources: this.resourcesOf(body),
        createdAt,
        expiresAt: new Date(spec.expiresAt),
      },
      'running',
    );
  }

  /** Creates and starts the container `build` describes, falling back from quota to tmpfs disks once. */
  private async startContainer(
    templateName: string,
    build: (template: DockerTemplate, disk: DiskLimitMode) => Docker.ContainerCreateOptions,
  ): Promise<Docker.ContainerCreateOptions> {
    const template = templateOf(this.options.templates, templateName);
    if (template.network === 'bridge') await this.bridgeReady();
    let disk = await this.diskMode();
    let body = build(template, disk);
    let container: Container;
    try {
      container = await this.createContainer(body, template.image, templateName);
    } catch (err) {
      if (!(disk === 'quota' && err instanceof QuotaRefused)) throw err;
      if (this.options.diskLimit === 'quota') {
        throw new UnavailableError(
          `runtime-docker diskLimit is quota, but the Docker engine refuses StorageOpt.size (${err.message}); ` +
            'its storage driver needs overlay2 on xfs mounted with pquota, btrfs or zfs. Set diskLimit: tmpfs or auto.',
        );
      }
      this.logger?.warn(
        `runtime-docker: the engine refuses StorageOpt.size (${err.message}); bounding disks with tmpfs volumes instead`,
      );
      this.disk = Promise.resolve('tmpfs');
      disk = 'tmpfs';
      body = build(template, disk);
      container = await this.createContainer(body, template.image, templateName);
    }
    try {
      await this.call(container.start(), 'start');
    } catch (err) {
      await container.remove({ force: true, v: true }).catch(() => undefined);
      throw this.mapError(err);
    }
    return body;
  }

  private async createContainer(
    body: Docker.ContainerCreateOptions,
    image: string,
    template: string,
  ): Promise<Container> {
    try {
      return await this.call(this.docker.createContainer(body), 'create');
    } catch (err) {
      const message = engineMessage(err);
      if (body.HostConfig?.StorageOpt && isQuotaRefusal(message)) throw new QuotaRefused(message);
      throw this.mapError(err, (msg) => {
        if (/no such image/i.test(msg)) {
          return new UnavailableError(
            `Image ${image} (template "${template}") is not present on the Docker engine; ${buildHintFor(image)}`,
            { image, template },
          );
        }
        return new NotFoundError(msg);
      });
    }
  }

  /** How diskMb is enforced on this engine (disk-limit.ts); `auto` asks the engine once. */
  private diskMode(): Promise<DiskLimitMode> {
    const option = this.options.diskLimit;
    if (option !== 'auto') return Promise.resolve(option);
    this.disk ??= this.call(this.docker.info() as Promise<Parameters<typeof quotaCapable>[0]>, 'info').then(
      (info) => (quotaCapable(info) ? 'quota' : 'tmpfs'),
      (err: unknown) => {
        this.disk = undefined;
        throw this.mapError(err);
      },
    );
    return this.disk;
  }

  /** At boot: says how disks are bounded here, and warns when they are not. */
  async checkDisk(): Promise<DiskLimitMode> {
    const mode = await this.diskMode();
    if (mode === 'off') {
      this.logger?.warn("runtime-docker: diskLimit is off: /workspace and /tmp can fill the engine's disk");
    } else {
      this.logger?.log(
        mode === 'quota'
          ? "runtime-docker: resources.diskMb caps each sandbox's writable layer (StorageOpt.size)"
          : 'runtime-docker: resources.diskMb caps /workspace, /tmp and /var/tmp, tmpfs volumes counted in memoryMb; the image is read-only',
      );
    }
    return mode;
  }

  async get(id: string): Promise<SandboxInfo | undefined> {
    if (!isValidSandboxId(id) || isMemberName(containerName(id))) return undefined;
    try {
      const info = await this.locate(id);
      if (!info) return undefined;
      const labels = info.Config.Labels;
      const record = labels?.[POOL_LABELS.key]
        ? await this.claims.one({ id, name: info.Name.replace(/^\//, ''), labels, ref: info.Id })
        : decodeLabels(labels);
      return record?.id === id ? this.toInfo(record, statusOf(info.State.Status)) : undefined;
    } catch (err) {
      throw this.mapError(err);
    }
  }

  /**
   * The container of sandbox `id`: by its engine id once this gateway knows it (a claimed sandbox,
   * whose name changes a moment after its claim), else by its name; a claim not renamed yet is
   * found through its record (pool-member.codec.ts).
   */
  private async locate(id: string): Promise<ContainerInspectInfo | undefined> {
    const inspect = (ref: string) =>
      this.call(this.docker.getContainer(ref).inspect(), 'inspect').catch((err: unknown) => {
        if (httpStatusOf(err) === 404) return undefined;
        throw err;
      });
    const ref = this.claims.ref(id);
    if (ref) {
      const known = await inspect(ref);
      if (!known) this.claims.forget(id);
      return known;
    }
    const named = await inspect(containerName(id));
    if (named) return named;
    const key = await this.claims.keyOf(id);
    // Renamed between the two looks: by name again.
    return key ? ((await inspect(poolName(key))) ?? (await inspect(containerName(id)))) : undefined;
  }

  /** The container to act on for sandbox `id` (an operation comes after the lookup that found it). */
  private containerOf(id: string): Container {
    return this.docker.getContainer(this.claims.ref(id) ?? containerName(id));
  }

  async list(selector: SandboxSelector = {}): Promise<SandboxInfo[]> {
    const [cold, claimed] = await Promise.all([this.listRecords(selector), this.listClaimed(selector.owner)]);
    const out: SandboxInfo[] = [];
    for (const { record, container } of [...cold, ...claimed]) {
      if (!record) continue;
      if (selector.owner !== undefined && record.owner !== selector.owner) continue;
      if (!Object.entries(selector.labels ?? {}).every(([k, v]) => record.labels[k] === v)) continue;
      out.push(this.toInfo(record, statusOf(container.State)));
    }
    return out;
  }

  /** Sandboxes that were pool members (pool-member.codec.ts), with their claim records: one list of each. */
  private async listClaimed(owner?: string): Promise<Array<{ record?: SandboxRecord; container: ContainerInfo }>> {
    let containers: ContainerInfo[];
    let records: Map<string, Record<string, string>>;
    try {
      [containers, records] = await Promise.all([
        this.call(this.docker.listContainers({ all: true, filters: { label: [POOL_LABELS.key] } }), 'list'),
        this.claims.byKey(owner),
      ]);
    } catch (err) {
      throw this.mapError(err);
    }
    return containers.flatMap((container) => {
      const labels = records.get(container.Labels?.[POOL_LABELS.key] ?? '');
      const id = labels?.[POOL_LABELS.claim];
      if (!labels || !isValidSandboxId(id)) return [];
      const name = container.Names?.[0]?.replace(/^\//, '') ?? '';
      const record = this.claims.remember({ id, name, labels: container.Labels, ref: container.Id }, labels);
      return record ? [{ record, container }] : [];
    });
  }

  async destroy(id: string): Promise<void> {
    if (!isValidSandboxId(id) || isMemberName(containerName(id))) return;
    let info: ContainerInspectInfo | undefined;
    try {
      info = await this.locate(id);
    } catch (err) {
      throw this.mapError(err);
    }
    // By engine id: a claimed container may be renamed at any moment.
    await this.removeContainer(info?.Id ?? containerName(id));
    this.claims.forget(id);
    // A sandbox that was a pool member: its claim record goes after it (a leftover one describes nothing).
    const key = info?.Config.Labels?.[POOL_LABELS.key];
    if (!isPoolKey(key)) return;
    const record = await this.call(this.docker.getVolume(claimVolumeName(key)).inspect(), 'volume inspect').catch(
      () => undefined,
    );
    if ((record as { Labels?: Record<string, string> } | undefined)?.Labels?.[POOL_LABELS.claim] !== id) return;
    await this.call(this.docker.getVolume(claimVolumeName(key)).remove(), 'volume remove').catch((err: unknown) => {
      if (httpStatusOf(err) !== 404) throw this.mapError(err);
    });
  }

  async exec(id: string, req: ExecRequest): Promise<ExecSession> {
    if (!isValidSandboxId(id)) throw this.sandboxNotFound(id);
    return this.execIn(this.containerOf(id), id, req);
  }

  /** exec in `container`; `id` names it in errors (a sandbox id, or a pool member's handle). */
  private async execIn(container: Container, id: string, req: ExecRequest): Promise<ExecSession> {
    validateExecRequest(req);
    const cwd = resolveExecCwd(SANDBOX_WORKDIR, req.cwd);
    const tty = req.tty === true;
    const execId = randomBytes(8).toString('hex');
    const exec = await this.createExec(id, container, {
      Cmd: wrapArgv(execId, req.argv, {
        cwd,
        keepBackground: req.keepBackground === true,
        subreaper: DOCKER_SUBREAPER,
      }),
      AttachStdin: true,
      AttachStdout: true,
      AttachStderr: true,
      Tty: tty,
      Env: envList({ ...(tty ? TTY_ENV : {}), ...req.env }),
      // runc only ever enters the workdir; the tracker changes to `cwd` as the sandbox user, so
      // no caller path (or symlink in the workspace) is resolved by runc.
      WorkingDir: SANDBOX_WORKDIR,
      User: SANDBOX_USER,
    });
    let socket: Duplex;
    // docker-modem never ends a hijack request with open stdin: when the engine answers with an
    // error (the sandbox is being deleted) instead of upgrading, only an abort frees the socket.
    const aborter = new AbortController();
    try {
      const started = exec.start({ hijack: true, stdin: true, Tty: tty, abortSignal: aborter.signal });
      socket = (await this.call(started, 'exec start')) as Duplex;
    } catch (err) {
      aborter.abort();
      // "No such exec": the container stopped or went between create and start; it says which.
      const cause = containerStateError(err, id) ?? (await this.whyGone(id, container));
      throw cause ?? this.mapError(err, () => this.sandboxNotFound(id));
    }
    const session = new DockerExecSession({
      exec,
      socket,
      tty,
      timeoutMs: req.timeoutMs,
      signalGroup: (signal) => this.signalGroup(container, execId, signal),
      explainEnd: () => this.whyGone(id, container),
    });
    if (tty) await session.resize(80, 24);
    return session;
  }

  async putArchive(id: string, dir: string, tar: Readable): Promise<void> {
    if (!isValidSandboxId(id)) throw this.sandboxNotFound(id);
    return this.putArchiveIn(this.containerOf(id), id, dir, tar);
  }

  private async putArchiveIn(container: Container, id: string, dir: string, tar: Readable): Promise<void> {
    const path = resolveSandboxPath(SANDBOX_WORKDIR, dir);
    const owned = ownArchiveEntries(tar, SANDBOX_UID, SANDBOX_GID);
    let badArchive: unknown;
    owned.once('error', (err) => (badArchive = err));
    try {
      await container.putArchive(owned, { path });
      if (badArchive) throw badArchive;
    } catch (err) {
      tar.destroy();
      owned.destroy();
      if (badArchive instanceof SandboxedError) throw badArchive;
      if (badArchive) throw new InvalidArgumentError(`Invalid tar archive: ${(badArchive as Error).message}`);
      const gone = containerStateError(err, id);
      if (gone) throw gone;
      if (/read-only/i.test(engineMessage(err))) {
        throw new InvalidArgumentError(
          `${path} is read-only in this sandbox; write under ${TMPFS_DIRS.map((d) => d.path).join(', ')}`,
          { path },
        );
      }
      throw this.mapError(err, (message) =>
        /no such container/i.test(message)
          ? this.sandboxNotFound(id)
          : new NotFoundError(`Directory ${path} not found in the sandbox`),
      );
    }
  }

  async getArchive(id: string, path: string): Promise<Readable> {
    if (!isValidSandboxId(id)) throw this.sandboxNotFound(id);
    const target = resolveSandboxPath(SANDBOX_WORKDIR, path);
    try {
      return (await this.call(this.containerOf(id).getArchive({ path: target }), 'archive')) as Readable;
    } catch (err) {
      const gone = containerStateError(err, id);
      if (gone) throw gone;
      throw this.mapError(err, (message) =>
        /no such container/i.test(message)
          ? this.sandboxNotFound(id)
          : new NotFoundError(`${target} not found in the sandbox`),
      );
    }
  }

  async connect(id: string, port: number): Promise<Duplex> {
    if (!Number.isInteger(port) || port < 1 || port > 65535) throw new InvalidArgumentError(`Invalid port: ${port}`);
    const session = await this.exec(id, { argv: bridgeArgv(port) });
    return bridgeToDuplex(session, port);
  }

  /**
   * At boot: reads the engine's runc version and warns, naming the version and the fixes it lacks,
   * when it is older than the fixes for known container escapes. Undefined for another runtime.
   */
  async checkRunc(): Promise<RuncAssessment | undefined> {
    let engine;
    try {
      engine = await probeEngineRuntime(this.docker, (work, what) => this.call(work, what));
    } catch (err) {
      throw this.mapError(err);
    }
    if (!engine.isRunc) {
      this.logger?.log(`runtime-docker: the engine runs containers with ${engine.name}, not runc: no runc check`);
      return undefined;
    }
    const assessment = assessRunc(engine.runcVersion ?? '');
    const warning = runcWarning(assessment);
    if (warning) this.logger?.warn(`runtime-docker: ${warning}`);
    else this.logger?.log(`runtime-docker: runc ${assessment.version} has the fixes for the known container escapes`);
    return assessment;
  }

  /** At boot: adopt live sandboxes, remove expired ones and containers whose labels are incomplete. */
  async reconcile(now = new Date()): Promise<ReconcileResult> {
    const result: ReconcileResult = { adopted: [], reaped: [] };
    for (const { record, container } of await this.listRecords()) {
      const name = container.Names?.[0]?.replace(/^\//, '') ?? container.Id;
      if (!record || record.expiresAt.getTime() <= now.getTime()) {
        await this.removeContainer(container.Id).catch((err: Error) =>
          this.logger?.warn(`runtime-docker: cannot reap ${name}: ${err.message}`),
        );
        result.reaped.push(record?.id ?? name);
      } else {
        result.adopted.push(record.id);
      }
    }
    const pool = await reconcilePool(this.docker, (work, what) => this.call(work, what), now);
    for (const problem of pool.problems) this.logger?.warn(`runtime-docker: ${problem}`);
    result.reaped.push(...pool.reaped);
    await this.reapDiskVolumes();
    this.logger?.log(
      `runtime-docker: adopted ${result.adopted.length} sandbox(es)` +
        (result.adopted.length ? ` (${result.adopted.join(', ')})` : '') +
        `, reaped ${result.reaped.length}` +
        (result.reaped.length ? ` (${result.reaped.join(', ')})` : ''),
    );
    return result;
  }

  /** Disk volumes whose sandbox was removed without them (`docker rm -f` without `-v`, a crash). */
  private async reapDiskVolumes(): Promise<void> {
    try {
      const { Volumes } = await this.call(
        this.docker.listVolumes({ filters: { label: [DISK_VOLUME_LABEL], dangling: ['true'] } }),
        'volume list',
      );
      for (const v of Volumes ?? []) {
        await this.call(this.docker.getVolume(v.Name).remove(), 'volume remove').catch((err: Error) =>
          this.logger?.warn(
            `runtime-docker: cannot remove the leftover disk volume ${v.Name.slice(0, 12)}: ${err.message}`,
          ),
        );
      }
    } catch (err) {
      this.logger?.warn(`runtime-docker: cannot list leftover disk volumes: ${(err as Error).message}`);
    }
  }

  async close(): Promise<void> {
    // Containers are deliberately left running: sandboxes outlive this process. Claims get their names.
    await this.pool.flush();
  }

  private async listRecords(
    selector: SandboxSelector = {},
  ): Promise<Array<{ record?: SandboxRecord; container: ContainerInfo }>> {
    let containers: ContainerInfo[];
    try {
      containers = await this.call(
        this.docker.listContainers({ all: true, filters: { label: labelFilters(selector) } }),
        'list',
      );
    } catch (err) {
      throw this.mapError(err);
    }
    return containers.map((container) => ({ record: decodeLabels(container.Labels), container }));
  }

  /** Creates the exec; a stopped sandbox (engine restart, OOM of its init) is started once first. */
  private async createExec(id: string, container: Container, body: Docker.ExecCreateOptions): Promise<Docker.Exec> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.call(container.exec(body), 'exec create');
      } catch (err) {
        const state = containerStateError(err, id);
        if (
          attempt === 0 &&
          state instanceof ConflictError &&
          (state.details as { state?: string }).state === 'not running'
        ) {
          this.logger?.log(`runtime-docker: starting stopped sandbox ${id}`);
          await this.call(container.start(), 'start').catch(() => undefined);
          continue;
        }
        throw state ?? this.mapError(err, () => this.sandboxNotFound(id));
      }
    }
  }

  /** Runs the killer exec (exec-wrapper.script.ts), retrying while the pids limit leaves no slot for it. */
  private async signalGroup(container: Container, execId: string, signal: NodeJS.Signals): Promise<void> {
    for (let attempt = 1; attempt <= KILL_ATTEMPTS; attempt++) {
      try {
        const out = await runToEnd(container, { Cmd: killerArgv(execId, signal), User: SANDBOX_USER });
        if (KILLER_DONE.test(out.stdout)) return;
      } catch (err) {
        // The sandbox is gone or stopped: nothing of the exec is left to signal.
        if (httpStatusOf(err) === 404 || containerStateError(err, 'x')) return;
      }
      await new Promise((r) => setTimeout(r, Math.min(50 * attempt, 250)));
    }
    this.logger?.warn(`runtime-docker: could not signal exec ${execId} after ${KILL_ATTEMPTS} attempts (pids limit?)`);
  }

  /**
   * Why an exec ended without running to its end, if its sandbox is the reason: deleted (or being
   * deleted) is NotFound, stopped or paused is Conflict; undefined while the container runs.
   */
  private async whyGone(id: string, container: Container): Promise<SandboxedError | undefined> {
    let state: ContainerInspectInfo['State'];
    try {
      state = (await this.call(container.inspect(), 'inspect')).State;
    } catch (err) {
      return httpStatusOf(err) === 404 ? this.sandboxNotFound(id) : undefined;
    }
    if (state.Status === 'removing' || state.Status === 'dead' || state.Dead) {
      return new NotFoundError(`Sandbox ${id} not found (it was deleted)`);
    }
    if (!state.Running || state.Paused || state.Restarting) {
      return new ConflictError(`Sandbox ${id} is not running (${state.Status}); retry in a moment`, {
        state: state.Status,
      });
    }
    return undefined;
  }

  private async removeContainer(nameOrId: string): Promise<void> {
    const container = this.docker.getContainer(nameOrId);
    try {
      // v: the sandbox's anonymous disk volumes (tmpfs mode) go with it.
      await this.call(container.remove({ force: true, v: true }), 'remove');
    } catch (err) {
      const status = httpStatusOf(err);
      if (status === 404) return;
      if (status === 409) return this.awaitRemoval(container);
      throw this.mapError(err);
    }
  }

  /** Another caller is already removing it: wait until it is gone. */
  private async awaitRemoval(container: Container): Promise<void> {
    const deadline = Date.now() + this.options.apiTimeoutMs;
    while (Date.now() < deadline) {
      try {
        await container.inspect();
      } catch (err) {
        if (httpStatusOf(err) === 404) return;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new ConflictError('Sandbox removal did not finish in time');
  }

  /** Bridge is opt-in (no egress policy yet); its sandboxes share a network without inter-container traffic. */
  private async bridgeReady(): Promise<void> {
    if (!this.options.allowUnrestrictedBridge) {
      throw new UnavailableError(
        'This gateway does not allow bridge networking (no egress policy yet); the operator must set ' +
          'runtime-docker allowUnrestrictedBridge: true, or use a template with network none',
      );
    }
    this.bridge ??= ensureBridgeNetwork(this.docker, (work, what) => this.call(work, what)).catch((err: unknown) => {
      this.bridge = undefined;
      throw this.mapError(err);
    });
    await this.bridge;
  }

  private call<T>(work: Promise<T>, what: string): Promise<T> {
    return withDeadline(work, this.options.apiTimeoutMs, this.endpoint, what);
  }

  private mapError(err: unknown, notFound?: (message: string) => SandboxedError): SandboxedError {
    return mapEngineError(err, { endpoint: this.endpoint, ...(notFound ? { notFound } : {}) });
  }

  private sandboxNotFound(id: string): NotFoundError {
    return new NotFoundError(`Sandbox ${String(id).slice(0, 200)} not found`);
  }

  private resourcesOf(body: Docker.ContainerCreateOptions): SandboxRecord['resources'] {
    const labels = body.Labels ?? {};
    const diskMb = labels[LABELS.diskMb] ? Number(labels[LABELS.diskMb]) : undefined;
    return {
      cpu: Number(labels[LABELS.cpu]),
      memoryMb: Number(labels[LABELS.memoryMb]),
      ...(diskMb !== undefined ? { diskMb } : {}),
    };
  }

  private toInfo(record: SandboxRecord, status: SandboxStatus): SandboxInfo {
    return sandboxInfo(record, { status, runtime: this.name, workdir: SANDBOX_WORKDIR });
  }
}
