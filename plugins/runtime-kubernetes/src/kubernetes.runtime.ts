import { randomBytes } from 'node:crypto';
import { PassThrough, Readable, type Duplex } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { V1Pod } from '@kubernetes/client-node';
import type WebSocket from 'ws';
import {
  collectOutput,
  ConflictError,
  IMAGE_SUBREAPER,
  InvalidArgumentError,
  KILLER_DONE,
  killerArgv,
  LimitExceededError,
  NotFoundError,
  resolveExecCwd,
  resolveSandboxPath,
  SandboxedError,
  UnavailableError,
  validateExecRequest,
  wrapArgv,
  assertValidSandboxId,
  checkedEnv,
  isValidSandboxId,
  type ExecRequest,
  type ExecSession,
  type RuntimeHealth,
  type SandboxInfo,
  type SandboxRuntime,
  type SandboxSelector,
  type SandboxSpec,
  type SandboxStatus,
  sandboxInfo,
  templateOf,
} from '@sandboxed/plugin-sdk';
import { createKubeClient, type KubeClient } from './kube-client.factory.js';
import { mapKubeError, statusOf, withDeadline } from './kube-error.mapper.js';
import { KubeExecSession } from './kube-exec.session.js';
import type { KubernetesRuntimeLogger, KubernetesRuntimeOptions } from './kubernetes-runtime.options.js';
import { allowEgressPolicy, defaultDenyPolicy } from './network-policies.js';
import { CREATE, EXTRACT, MISSING } from './pod-archive.scripts.js';
import {
  CONTAINER_NAME,
  decodePod,
  LABELS,
  labelSelector,
  MANAGED_BY,
  matches,
  podName,
  sandboxKey,
  type SandboxRecord,
} from './pod-labels.codec.js';
import { KubePoolDriver } from './kube-pool.driver.js';
import { portForwardDuplex } from './pod-port.connector.js';
import { awaitReady, readinessOf } from './pod-readiness.watcher.js';
import { AGENT_INIT_CONTAINER, buildPod, PREINSTALLED_AGENT, SANDBOX_WORKDIR } from './pod-spec.builder.js';

export interface ReconcileResult {
  adopted: string[];
  reaped: string[];
}

const TTY_ENV = { TERM: 'xterm-256color', COLUMNS: '80', LINES: '24' };
const KILL_ATTEMPTS = 20;
/** Exports `NAME=VALUE` words given as arguments, then runs the rest: pods/exec takes no environment. */
const WITH_ENV = 'n=$1; shift; while [ "$n" -gt 0 ]; do export "$1"; shift; n=$((n-1)); done; exec "$@"';

/**
 * Sandboxes as pods through @kubernetes/client-node: one hardened pod per sandbox, all state on
 * the pod, so several gateway replicas share one cluster and none holds state the others need.
 * The gateway reaches a pod only through the API server (pods/exec, pods/portforward).
 */
export class KubernetesRuntime implements SandboxRuntime {
  readonly name = 'kubernetes';
  private readonly client: KubeClient;
  private reconciler?: NodeJS.Timeout;
  private reconciling?: Promise<unknown>;
  /** Pod names of sandboxes that were warm-pool members (they keep their member name), by id. */
  private readonly claimedPods = new Map<string, string>();
  readonly pool: KubePoolDriver;

  constructor(
    private readonly options: KubernetesRuntimeOptions,
    private readonly logger?: KubernetesRuntimeLogger,
    client?: KubeClient,
  ) {
    this.client = client ?? createKubeClient(options);
    this.pool = new KubePoolDriver({
      client: this.client,
      options: this.options,
      call: (work, what) => this.call(work, what),
      mapError: (err) => this.mapError(err),
      startPod: (body, template) => this.startPod(body, template),
      readPod: (name) => this.readPod(name),
      statusOf: (pod) => this.statusOf(pod),
      remember: (id, name) => this.rememberClaimed(id, name),
      toInfo: (record, status) => this.toInfo(record, status),
    });
  }

  get namespace(): string {
    return this.options.namespace;
  }

  /** With `agentImage`, each pod's init container installed the agent here (pod-spec.builder.ts). */
  get preinstalledAgentPath(): string | undefined {
    return this.options.agentImage ? PREINSTALLED_AGENT : undefined;
  }

  templateNames(): string[] {
    return Object.keys(this.options.templates);
  }

  async create(spec: SandboxSpec): Promise<SandboxInfo> {
    assertValidSandboxId(spec.id);
    const template = templateOf(this.options.templates, spec.template);
    const body = buildPod(spec, template, this.options, new Date());
    const ready = await this.startPod(body, spec.template);
    return this.toInfo(decodePod(ready)!, 'running');
  }

  /** Creates the pod and waits until it is ready; one that cannot start is deleted and explained. */
  private async startPod(body: V1Pod, templateName: string): Promise<V1Pod> {
    const template = templateOf(this.options.templates, templateName);
    const name = body.metadata!.name!;
    let created: V1Pod;
    try {
      created = await this.call(
        this.client.core.createNamespacedPod({ namespace: this.namespace, body }),
        'create pod',
      );
    } catch (err) {
      if (statusOf(err) === 409) throw new ConflictError(`Pod ${name} already exists`);
      throw this.mapError(err);
    }
    const ready = await awaitReady({
      watch: this.client.watch,
      namespace: this.namespace,
      name,
      created,
      timeoutMs: this.options.readyTimeoutMs,
      reread: () => this.readPod(name),
    });
    if (ready.state !== 'ready') {
      await this.deletePod(name, created.metadata?.uid).catch((err: Error) =>
        this.logger?.warn(`runtime-kubernetes: cannot delete the failed pod ${name}: ${err.message}`),
      );
      throw this.startFailure(templateName, template.image, name, ready);
    }
    return ready.pod;
  }

  private startFailure(
    templateName: string,
    image: string,
    name: string,
    ready: Exclude<Awaited<ReturnType<typeof awaitReady>>, { state: 'ready' }>,
  ): SandboxedError {
    const where = `pod ${name} in namespace ${this.namespace}`;
    const details = { pod: name, namespace: this.namespace, template: templateName };
    if (ready.state === 'pending') {
      return new UnavailableError(
        `Sandbox ${where} was not ready within ${this.options.readyTimeoutMs} ms` +
          (ready.reason ? ` (${ready.reason})` : '') +
          '; the pod was deleted',
        { ...details, ...(ready.reason ? { reason: ready.reason.split(':')[0] } : {}) },
      );
    }
    const pull = /Image|Pull/.test(ready.reason);
    const agent = ready.container === AGENT_INIT_CONTAINER && this.options.agentImage;
    const hint = agent
      ? ` (the agent image ${agent.image}, option agentImage: push it where the cluster can pull it)`
      : ` (image ${image} of template "${templateName}": push it where the cluster can pull it)`;
    return new UnavailableError(
      `Sandbox ${where} could not start: ${ready.reason}: ${ready.message}` +
        (pull ? hint : '') +
        '; the pod was deleted',
      { ...details, reason: ready.reason },
    );
  }

  async get(id: string): Promise<SandboxInfo | undefined> {
    if (!isValidSandboxId(id)) return undefined;
    const pod = await this.findPod(id);
    const record = pod && !pod.metadata?.deletionTimestamp ? decodePod(pod) : undefined;
    return record?.id === id ? this.toInfo(record, this.statusOf(pod!)) : undefined;
  }

  /** The pod of sandbox `id`: by its name, else (a claimed pool member keeps its own name) by its id label. */
  private async findPod(id: string): Promise<V1Pod | undefined> {
    const known = this.claimedPods.get(id);
    const pod = await this.readPod(known ?? podName(id));
    if (pod || known) return decodePod(pod ?? {})?.id === id ? pod : undefined;
    let items: V1Pod[];
    try {
      const list = await this.call(
        this.client.core.listNamespacedPod({
          namespace: this.namespace,
          labelSelector: `${LABELS.managedBy}=${MANAGED_BY},${LABELS.name}=sandbox,${LABELS.sandbox}=${sandboxKey(id)}`,
        }),
        'list pods',
      );
      items = list.items;
    } catch (err) {
      throw this.mapError(err);
    }
    const found = items.find((p) => decodePod(p)?.id === id);
    if (found) this.rememberClaimed(id, found.metadata!.name!);
    return found;
  }

  private rememberClaimed(id: string, name: string): void {
    if (name === podName(id)) return;
    if (this.claimedPods.size >= 10_000) this.claimedPods.delete(this.claimedPods.keys().next().value!);
    this.claimedPods.set(id, name);
  }

  /** The pod name of sandbox `id` as far as this process knows (get, list and claim learn claimed names). */
  private podNameOf(id: string): string {
    return this.claimedPods.get(id) ?? podName(id);
  }

  /** Sandboxes being deleted are already gone from here. */
  async list(selector: SandboxSelector = {}): Promise<SandboxInfo[]> {
    const out: SandboxInfo[] = [];
    for (const { pod, record } of await this.listPods(selector)) {
      if (!record || pod.metadata?.deletionTimestamp || !matches(record, selector)) continue;
      out.push(this.toInfo(record, this.statusOf(pod)));
    }
    return out;
  }

  async destroy(id: string): Promise<void> {
    if (!isValidSandboxId(id)) return;
    const pod = await this.findPod(id);
    if (pod) await this.deletePod(pod.metadata!.name!, pod.metadata?.uid);
    this.claimedPods.delete(id);
  }

  async exec(id: string, req: ExecRequest): Promise<ExecSession> {
    if (!isValidSandboxId(id)) throw this.sandboxNotFound(id);
    validateExecRequest(req);
    const cwd = resolveExecCwd(SANDBOX_WORKDIR, req.cwd);
    const tty = req.tty === true;
    const env = checkedEnv({ ...(tty ? TTY_ENV : {}), ...req.env });
    const execId = randomBytes(8).toString('hex');
    const program =
      env.length === 0
        ? req.argv
        : [
            '/bin/sh',
            '-c',
            WITH_ENV,
            'sandboxed-env',
            String(env.length),
            ...env.map(([k, v]) => `${k}=${v}`),
            ...req.argv,
          ];
    const argv = wrapArgv(execId, program, {
      cwd,
      keepBackground: req.keepBackground === true,
      subreaper: IMAGE_SUBREAPER,
    });
    const session = await this.openExec(id, argv, tty, {
      ...(req.timeoutMs !== undefined ? { timeoutMs: req.timeoutMs } : {}),
      signalGroup: (signal) => this.signalGroup(id, execId, signal),
    });
    if (tty) await session.resize(80, 24);
    return session;
  }

  async putArchive(id: string, dir: string, tar: Readable): Promise<void> {
    const path = resolveSandboxPath(SANDBOX_WORKDIR, dir);
    const session = await this.exec(id, { argv: ['/bin/sh', '-c', EXTRACT, 'sandboxed-untar', path] });
    const errors: Buffer[] = [];
    session.stderr.on('data', (chunk: Buffer) => {
      if (errors.length < 64) errors.push(chunk);
    });
    session.stdout.resume();
    let badInput: unknown;
    await pipeline(tar, session.stdin).catch((err: unknown) => {
      badInput = err;
      void session.kill('SIGKILL');
    });
    const exit = await session.wait();
    const stderr = Buffer.concat(errors).toString('utf8').trim();
    if (badInput) {
      throw badInput instanceof SandboxedError
        ? badInput
        : new InvalidArgumentError(`Invalid tar archive: ${(badInput as Error).message}`);
    }
    const code = exit.exitCode;
    if (code === 0) return;
    if (code === MISSING) throw new NotFoundError(`Directory ${path} not found in the sandbox`);
    if (/read-only file system/i.test(stderr)) {
      throw new InvalidArgumentError(`${path} is read-only in this sandbox; write under /workspace, /tmp or /var/tmp`, {
        path,
      });
    }
    if (/no space left/i.test(stderr)) throw new LimitExceededError(`The sandbox's disk is full writing into ${path}`);
    if (/not look like a tar archive|unexpected EOF|Skipping to next header/i.test(stderr)) {
      throw new InvalidArgumentError(`Invalid tar archive: ${stderr.slice(0, 300)}`);
    }
    throw new InvalidArgumentError(
      `Could not extract the archive into ${path}: ${stderr.slice(0, 500) || `exit ${code}`}`,
    );
  }

  async getArchive(id: string, path: string): Promise<Readable> {
    const target = resolveSandboxPath(SANDBOX_WORKDIR, path);
    const session = await this.exec(id, { argv: ['/bin/sh', '-c', CREATE, 'sandboxed-tar', target] });
    session.stdin.end();
    session.stderr.resume();
    const first = await new Promise<Buffer | undefined>((resolve) => {
      const onData = (chunk: Buffer): void => {
        session.stdout.pause();
        session.stdout.off('end', onEnd);
        resolve(chunk);
      };
      const onEnd = (): void => resolve(undefined);
      session.stdout.once('data', onData);
      session.stdout.once('end', onEnd);
    });
    if (!first || first[0] !== 0x59 /* Y */) {
      const exit = await session.wait();
      if (first?.[0] === 0x4e /* N */ || exit.exitCode === MISSING)
        throw new NotFoundError(`${target} not found in the sandbox`);
      throw new UnavailableError(`Could not read ${target} from the sandbox (exit ${exit.exitCode})`);
    }
    const out = new PassThrough();
    out.write(first.subarray(1));
    session.stdout.pipe(out);
    out.once('close', () => {
      if (!session.stdout.readableEnded) void session.kill('SIGKILL');
    });
    return out;
  }

  async connect(id: string, port: number): Promise<Duplex> {
    if (!Number.isInteger(port) || port < 1 || port > 65535) throw new InvalidArgumentError(`Invalid port: ${port}`);
    if (!isValidSandboxId(id)) throw this.sandboxNotFound(id);
    const name = this.podNameOf(id);
    try {
      return await portForwardDuplex(
        port,
        (output, errors, input) =>
          this.client.portForward.portForward(
            this.namespace,
            name,
            [port],
            output,
            errors,
            input,
          ) as Promise<WebSocket>,
      );
    } catch (err) {
      throw (await this.whyGone(id)) ?? this.refusedUpgrade('pods/portforward', err);
    }
  }

  /**
   * At boot, and then every readyTimeoutMs: adopt live sandboxes; reap expired ones, finished
   * ones, incomplete ones, and pods whose create never finished (the gateway that made them died).
   */
  async reconcile(now = new Date(), opts: { quiet?: boolean } = {}): Promise<ReconcileResult> {
    const result: ReconcileResult = { adopted: [], reaped: [] };
    for (const { pod, record } of await this.listPods()) {
      const name = pod.metadata?.name ?? '';
      if (pod.metadata?.deletionTimestamp) continue;
      const why = this.orphaned(pod, record, now);
      if (!why) {
        result.adopted.push(record!.id);
        continue;
      }
      try {
        await this.deletePod(name, pod.metadata?.uid);
        this.logger?.log(`runtime-kubernetes: reaped ${name} (${why})`);
        result.reaped.push(record?.id ?? name);
      } catch (err) {
        this.logger?.warn(`runtime-kubernetes: cannot reap ${name}: ${(err as Error).message}`);
      }
    }
    if (!opts.quiet) {
      this.logger?.log(
        `runtime-kubernetes: adopted ${result.adopted.length} sandbox(es), reaped ${result.reaped.length} in namespace ${this.namespace}`,
      );
    }
    return result;
  }

  /** Runs reconcile every readyTimeoutMs until close(): replicas share the work; uid-preconditioned deletes make it safe. */
  startReconciling(): void {
    this.reconciler ??= setInterval(() => {
      this.reconciling ??= this.reconcile(new Date(), { quiet: true })
        .catch((err: Error) => this.logger?.warn(`runtime-kubernetes: reconcile failed: ${err.message}`))
        .finally(() => (this.reconciling = undefined));
    }, this.options.readyTimeoutMs);
    this.reconciler.unref();
  }

  private orphaned(pod: V1Pod, record: SandboxRecord | undefined, now: Date): string | undefined {
    if (!record) return 'incomplete labels';
    if (record.expiresAt.getTime() <= now.getTime()) return 'expired';
    const phase = pod.status?.phase;
    if (phase === 'Failed' || phase === 'Succeeded') return `${phase}: ${pod.status?.reason ?? 'finished'}`;
    const readiness = readinessOf(pod);
    if (readiness.state === 'ready') return undefined;
    // Younger than this, a replica may still be waiting for it in create (which deletes it on failure).
    const age = now.getTime() - new Date(pod.metadata?.creationTimestamp ?? now).getTime();
    if (age <= this.options.readyTimeoutMs + this.options.apiTimeoutMs) return undefined;
    const everRan = (pod.status?.containerStatuses ?? []).some(
      (c) => c.ready || (c.restartCount > 0 && c.lastState?.terminated?.reason !== 'StartError'),
    );
    if (everRan) return undefined;
    return `never became ready: ${readiness.state === 'failed' ? readiness.reason : (readiness.reason ?? 'pending')}`;
  }

  /** At boot (networkPolicy: manage): the default-deny and egress policies, created when missing. */
  async ensureNetworkPolicies(): Promise<void> {
    if (this.options.networkPolicy !== 'manage') return;
    for (const body of [defaultDenyPolicy(this.namespace), allowEgressPolicy(this.namespace)]) {
      const name = body.metadata!.name!;
      try {
        await this.call(
          this.client.networking.readNamespacedNetworkPolicy({ name, namespace: this.namespace }),
          'read networkpolicy',
        );
        continue;
      } catch (err) {
        if (statusOf(err) !== 404) throw this.mapError(err);
      }
      try {
        await this.call(
          this.client.networking.createNamespacedNetworkPolicy({ namespace: this.namespace, body }),
          'create networkpolicy',
        );
        this.logger?.log(`runtime-kubernetes: created NetworkPolicy ${name} in namespace ${this.namespace}`);
      } catch (err) {
        if (statusOf(err) !== 409) throw this.mapError(err);
      }
    }
  }

  async health(): Promise<RuntimeHealth> {
    try {
      await this.call(this.client.core.readNamespace({ name: this.namespace }), 'read namespace');
      return { status: 'ok', reasons: [] };
    } catch (err) {
      const reason =
        statusOf(err) === 404
          ? `the sandbox namespace ${this.namespace} does not exist (kubectl apply -k k8s/base, or create it)`
          : this.mapError(err).message;
      return { status: 'degraded', reasons: [reason] };
    }
  }

  async close(): Promise<void> {
    // Pods are deliberately left running: sandboxes outlive this process.
    clearInterval(this.reconciler);
    this.reconciler = undefined;
    await this.reconciling;
  }

  private async openExec(
    id: string,
    argv: string[],
    tty: boolean,
    opts: { timeoutMs?: number; signalGroup(signal: NodeJS.Signals): Promise<void> },
  ): Promise<KubeExecSession> {
    const name = this.podNameOf(id);
    const session = new KubeExecSession({ tty, ...opts, explainEnd: () => this.whyGone(id) });
    try {
      return await session.start(async (stdout, stderr, stdin, onStatus) => {
        if (tty) stderr.end();
        return (await this.client.exec.exec(
          this.namespace,
          name,
          CONTAINER_NAME,
          argv,
          stdout,
          tty ? null : stderr,
          stdin,
          tty,
          onStatus,
        )) as unknown as WebSocket;
      });
    } catch (err) {
      throw (await this.whyGone(id)) ?? this.refusedUpgrade('pods/exec', err);
    }
  }

  /** An exec or port-forward upgrade the API server refused while the pod is fine: RBAC, most likely. */
  private refusedUpgrade(what: string, err: unknown): SandboxedError {
    const message = (err as Error)?.message ?? String(err);
    if (/\b403\b/.test(message)) {
      return new UnavailableError(
        `The gateway's Kubernetes identity may not use ${what} in namespace ${this.namespace} (RBAC): ${message}; ` +
          'see docs/kubernetes.md for the Role it needs',
      );
    }
    return new UnavailableError(`The Kubernetes API server refused ${what} at ${this.client.endpoint}: ${message}`);
  }

  /**
   * Runs the killer exec, retrying while the sandbox has no process slot for it (the killer runs
   * but cannot fork). An API server that refuses or cannot be reached is tried three times.
   */
  private async signalGroup(id: string, execId: string, signal: NodeJS.Signals): Promise<void> {
    let refused = 0;
    for (let attempt = 1; attempt <= KILL_ATTEMPTS && refused < 3; attempt++) {
      try {
        const killer = await this.openExec(id, killerArgv(execId, signal), false, {
          signalGroup: async () => undefined,
        });
        killer.stdin.end();
        const out = await collectOutput(killer, { maxOutputBytes: 64 * 1024 });
        if (KILLER_DONE.test(out.stdout.toString('utf8'))) return;
      } catch (err) {
        if (err instanceof NotFoundError || err instanceof ConflictError) return;
        refused++;
      }
      await new Promise((r) => setTimeout(r, Math.min(50 * attempt, 250)));
    }
    this.logger?.warn(
      `runtime-kubernetes: could not signal exec ${execId} in sandbox ${id} (pids limit, or the API server)`,
    );
  }

  /** Why an exec or tunnel failed, if the sandbox is the reason: gone (404) or not running (409). */
  private async whyGone(id: string): Promise<SandboxedError | undefined> {
    let pod: V1Pod | undefined;
    try {
      pod = await this.readPod(this.podNameOf(id));
    } catch {
      return undefined;
    }
    if (!pod || decodePod(pod)?.id !== id) return this.sandboxNotFound(id);
    if (pod.metadata?.deletionTimestamp) return new NotFoundError(`Sandbox ${id} not found (it was deleted)`);
    const status = this.statusOf(pod);
    if (status !== 'running') {
      return new ConflictError(`Sandbox ${id} is not running (${pod.status?.phase ?? 'unknown'}); retry in a moment`, {
        state: status,
      });
    }
    return undefined;
  }

  private async readPod(name: string): Promise<V1Pod | undefined> {
    try {
      return await this.call(this.client.core.readNamespacedPod({ name, namespace: this.namespace }), 'read pod');
    } catch (err) {
      if (statusOf(err) === 404) return undefined;
      throw this.mapError(err);
    }
  }

  /** Deletes at once with a uid precondition, so it never hits a newer pod of the same name; gone or raced is fine. */
  private async deletePod(name: string, uid: string | undefined): Promise<void> {
    try {
      await this.call(
        this.client.core.deleteNamespacedPod({
          name,
          namespace: this.namespace,
          gracePeriodSeconds: 0,
          body: { gracePeriodSeconds: 0, ...(uid ? { preconditions: { uid } } : {}) },
        }),
        'delete pod',
      );
    } catch (err) {
      const status = statusOf(err);
      if (status === 404 || status === 409) return;
      throw this.mapError(err);
    }
  }

  private async listPods(selector: SandboxSelector = {}): Promise<Array<{ pod: V1Pod; record?: SandboxRecord }>> {
    try {
      const list = await this.call(
        this.client.core.listNamespacedPod({ namespace: this.namespace, labelSelector: labelSelector(selector) }),
        'list pods',
      );
      return list.items.map((pod) => {
        const record = decodePod(pod);
        if (record) this.rememberClaimed(record.id, pod.metadata!.name!);
        return record ? { pod, record } : { pod };
      });
    } catch (err) {
      throw this.mapError(err);
    }
  }

  private statusOf(pod: V1Pod): SandboxStatus {
    if (pod.metadata?.deletionTimestamp) return 'stopped';
    const readiness = readinessOf(pod);
    if (readiness.state === 'ready') return 'running';
    if (readiness.state === 'pending') return 'starting';
    return pod.status?.phase === 'Failed' || pod.status?.phase === 'Succeeded' ? 'stopped' : 'error';
  }

  private call<T>(work: Promise<T>, what: string): Promise<T> {
    return withDeadline(work, this.options.apiTimeoutMs, this.client.endpoint, what);
  }

  private mapError(err: unknown): SandboxedError {
    return mapKubeError(err, { endpoint: this.client.endpoint, namespace: this.namespace });
  }

  private sandboxNotFound(id: string): NotFoundError {
    return new NotFoundError(`Sandbox ${String(id).slice(0, 200)} not found`);
  }

  private toInfo(record: SandboxRecord, status: SandboxStatus): SandboxInfo {
    return sandboxInfo(record, { status, runtime: this.name, workdir: SANDBOX_WORKDIR });
  }
}
