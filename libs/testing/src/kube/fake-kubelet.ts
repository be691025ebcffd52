import type Dockerode from 'dockerode';
import type { V1Container, V1ContainerStatus, V1NetworkPolicy, V1Pod, V1PodCondition } from '@kubernetes/client-node';
import type { FakeObjectStore, KubeObject } from './fake-object.store.js';
import { createSharedVolumes, reapVolumes } from './fake-emptydir.volumes.js';
import {
  containerName,
  containerOptions,
  emptyDirPaths,
  INSTANCE_LABEL,
  unsupportedReason,
} from './fake-pod.containers.js';
import { parseQuantity } from './kube-quantity.js';
import { podMayEgress } from './network-policy.egress.js';
import { kubeTime } from './pod-defaults.js';

/**
 * The scheduler and kubelet of the fake's single node. Each pod goes Pending → scheduled (or
 * Unschedulable when its requests do not fit the node) → init containers run one at a time, each
 * to a zero exit (Init:N/M; one that exits non-zero is restarted with the back-off, Init:Error then
 * Init:CrashLoopBackOff, or fails the pod under restartPolicy Never) → containers created as Docker
 * containers → Running/Ready; a missing image gives ErrImagePull then ImagePullBackOff (never
 * pulled), a command that cannot start RunContainerError then CrashLoopBackOff, exited
 * containers restart by restartPolicy with the kubelet's back-off, and activeDeadlineSeconds
 * fails the pod with DeadlineExceeded. Every change is one status update in the store (so one
 * MODIFIED watch event with a new resourceVersion).
 */
export const NODE_NAME = 'fake-node';
const HOST_IP = '192.168.49.2';
const BACKOFF_START_MS = 10_000;
const BACKOFF_MAX_MS = 300_000;
/** ErrImagePull is shown this long before the kubelet's back-off turns it into ImagePullBackOff. */
const PULL_FAILURE_MS = 1_000;

type State = NonNullable<V1ContainerStatus['state']>;

interface ContainerRuntime {
  spec: V1Container;
  init: boolean;
  dockerName: string;
  id?: string;
  imageId?: string;
  state: State;
  lastState: State;
  restartCount: number;
  started: boolean;
  backoffMs: number;
}

interface PodRuntime {
  namespace: string;
  name: string;
  uid: string;
  pod: V1Pod;
  initContainers: ContainerRuntime[];
  containers: ContainerRuntime[];
  /** Every init container has exited 0 (true from the start when there are none). */
  initialized: boolean;
  /** Shared emptyDirs: volume name → Docker volume (fake-emptydir.volumes.ts). */
  volumes: Map<string, string>;
  timers: Set<NodeJS.Timeout>;
  scheduled: boolean;
  unschedulableMessage?: string;
  startTime?: string;
  podIP?: string;
  deleting: boolean;
  gone: boolean;
  failed?: { reason: string; message: string };
  transitions: Map<string, { status: string; at: string }>;
}

export interface FakeKubeletOptions {
  docker: Dockerode;
  store: FakeObjectStore;
  instance: string;
  allocatable: { cpu: string; memory: string };
}

let syntheticIp = 0;

export class FakeKubelet {
  private readonly pods = new Map<string, PodRuntime>();
  private readonly inflight = new Set<Promise<unknown>>();
  private closing = false;

  constructor(private readonly opts: FakeKubeletOptions) {}

  /** A new pod was stored: schedule it and start its containers. */
  admit(pod: V1Pod): void {
    const inits = pod.spec!.initContainers ?? [];
    const runtime = (c: V1Container, init: boolean, waiting: string): ContainerRuntime => ({
      spec: c,
      init,
      dockerName: containerName(this.opts.instance, pod, c),
      state: { waiting: { reason: waiting } },
      lastState: {},
      restartCount: 0,
      started: false,
      backoffMs: BACKOFF_START_MS,
    });
    const rt: PodRuntime = {
      namespace: pod.metadata!.namespace!,
      name: pod.metadata!.name!,
      uid: pod.metadata!.uid!,
      pod,
      initContainers: inits.map((c) => runtime(c, true, 'PodInitializing')),
      containers: pod.spec!.containers.map((c) =>
        runtime(c, false, inits.length ? 'PodInitializing' : 'ContainerCreating'),
      ),
      initialized: inits.length === 0,
      volumes: new Map(),
      timers: new Set(),
      scheduled: false,
      deleting: false,
      gone: false,
      transitions: new Map(),
    };
    this.pods.set(key(rt.namespace, rt.name), rt);
    this.later(rt, 0, () => this.schedule(rt));
  }

  /** emptyDirs are world-writable, as a kubelet makes them (fake-pod.containers.ts says why this is needed). */
  private async openEmptyDirs(ctr: Dockerode.Container, paths: string[]): Promise<void> {
    if (paths.length === 0) return;
    try {
      const exec = await ctr.exec({
        Cmd: ['chmod', '0777', '--', ...paths],
        User: '0:0',
        AttachStdout: true,
        AttachStderr: true,
      });
      const stream = await exec.start({ Detach: false, Tty: false });
      stream.resume();
      await new Promise((resolve) => stream.once('end', resolve));
    } catch {
      // The container already exited (a quick init container), or its image has no chmod.
    }
  }

  /** The Docker container id of a running container of the pod, for exec and port-forward. */
  runningContainer(namespace: string, name: string, container: string): string | undefined {
    const rt = this.pods.get(key(namespace, name));
    const c = [...(rt?.initContainers ?? []), ...(rt?.containers ?? [])].find((x) => x.spec.name === container);
    return c?.state.running && c.id && !rt!.gone ? c.id : undefined;
  }

  /** The first container's Docker id: the pod's network namespace. */
  sandboxContainer(namespace: string, name: string): string | undefined {
    const rt = this.pods.get(key(namespace, name));
    return rt?.containers[0]?.id;
  }

  /** Whether the pod has anything on the node, i.e. whether deleting it must wait for the kubelet. */
  isOnNode(namespace: string, name: string): boolean {
    const rt = this.pods.get(key(namespace, name));
    return !!rt && rt.scheduled;
  }

  /**
   * The API server set deletionTimestamp: stop the containers (SIGTERM, SIGKILL after the grace
   * period), remove them, publish their final state, then remove the object (DELETED).
   */
  delete(namespace: string, name: string, graceSeconds: number): void {
    const rt = this.pods.get(key(namespace, name));
    if (!rt) {
      this.opts.store.remove('pods', namespace, name);
      return;
    }
    if (rt.deleting) return;
    rt.deleting = true;
    this.clearTimers(rt);
    this.track(
      (async () => {
        await Promise.all(
          [...rt.initContainers, ...rt.containers].map(async (c) => {
            const ctr = this.opts.docker.getContainer(c.dockerName);
            if (c.state.running) await ctr.stop({ t: Math.max(0, graceSeconds) }).catch(() => undefined);
            await ctr.remove({ force: true }).catch(() => undefined);
          }),
        );
        await this.removeVolumes(rt);
        const now = kubeTime();
        for (const c of [...rt.initContainers, ...rt.containers]) {
          if (c.state.running) {
            c.state = {
              terminated: {
                exitCode: 137,
                reason: 'Error',
                startedAt: c.state.running.startedAt,
                finishedAt: now as never,
                containerID: `docker://${c.id}`,
              },
            };
          }
        }
        if (rt.scheduled) this.publish(rt);
        rt.gone = true;
        if (this.pods.get(key(namespace, name)) === rt) this.pods.delete(key(namespace, name));
        // Deleted with grace 0, the object went at once, and a new pod may have its name by now.
        if (this.opts.store.get('pods', namespace, name)?.metadata.uid === rt.uid) {
          this.opts.store.remove('pods', namespace, name);
        }
        this.retryUnschedulable();
      })(),
    );
  }

  async close(): Promise<void> {
    this.closing = true;
    for (const rt of this.pods.values()) {
      rt.gone = true;
      this.clearTimers(rt);
    }
    const mine = (labels: Record<string, string>): boolean => labels[INSTANCE_LABEL] === this.opts.instance;
    // Removing the containers ends the waits on them; then reap what a racing create made.
    await reapContainers(this.opts.docker, mine);
    await Promise.allSettled([...this.inflight]);
    await reapContainers(this.opts.docker, mine);
    await reapVolumes(this.opts.docker, mine);
  }

  private async removeVolumes(rt: PodRuntime): Promise<void> {
    await Promise.all(
      [...rt.volumes.values()].map((v) =>
        this.opts.docker
          .getVolume(v)
          .remove()
          .catch(() => undefined),
      ),
    );
    rt.volumes.clear();
  }

  // ---- scheduling ----

  /** The scheduler's effective requests: the larger of the sum over containers and any one init container. */
  private requests(pod: V1Pod): { cpu: number; memory: number } {
    const of = (c: V1Container, r: 'cpu' | 'memory'): number =>
      parseQuantity(((c.resources?.requests ?? {}) as Record<string, string>)[r]) ?? 0;
    let cpu = 0;
    let memory = 0;
    for (const c of pod.spec!.containers) {
      cpu += of(c, 'cpu');
      memory += of(c, 'memory');
    }
    for (const c of pod.spec!.initContainers ?? []) {
      cpu = Math.max(cpu, of(c, 'cpu'));
      memory = Math.max(memory, of(c, 'memory'));
    }
    return { cpu, memory };
  }

  private schedule(rt: PodRuntime): void {
    if (rt.gone || rt.deleting || rt.scheduled) return;
    const want = this.requests(rt.pod);
    let cpu = 0;
    let memory = 0;
    for (const other of this.pods.values()) {
      if (other === rt || !other.scheduled || other.failed) continue;
      const r = this.requests(other.pod);
      cpu += r.cpu;
      memory += r.memory;
    }
    const capCpu = parseQuantity(this.opts.allocatable.cpu) ?? Infinity;
    const capMem = parseQuantity(this.opts.allocatable.memory) ?? Infinity;
    const short: string[] = [];
    if (cpu + want.cpu > capCpu) short.push('1 Insufficient cpu');
    if (memory + want.memory > capMem) short.push('1 Insufficient memory');
    if (short.length) {
      const msg = `0/1 nodes are available: ${short.join(', ')}. preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod.`;
      if (rt.unschedulableMessage !== msg) {
        rt.unschedulableMessage = msg;
        this.publish(rt);
      }
      return;
    }
    rt.scheduled = true;
    rt.unschedulableMessage = undefined;
    const bound = this.opts.store.update('pods', rt.namespace, rt.name, (o) => {
      (o.spec as Record<string, unknown>).nodeName = NODE_NAME;
      o.status = this.status(rt, o);
    });
    if (!bound) return;
    rt.pod = bound as unknown as V1Pod;
    this.later(rt, 0, () => this.sync(rt));
  }

  private retryUnschedulable(): void {
    for (const rt of this.pods.values()) if (!rt.scheduled && rt.unschedulableMessage) this.schedule(rt);
  }

  // ---- the kubelet ----

  private sync(rt: PodRuntime): void {
    if (rt.gone || rt.deleting) return;
    rt.startTime = kubeTime();
    const refused = unsupportedReason(rt.pod);
    if (refused) {
      const first = rt.initContainers.length ? rt.initContainers : rt.containers;
      for (const c of first) c.state = { waiting: { reason: 'CreateContainerConfigError', message: refused } };
      this.publish(rt);
      return;
    }
    this.publish(rt);
    const deadline = rt.pod.spec?.activeDeadlineSeconds;
    if (deadline) this.later(rt, deadline * 1000, () => this.deadlineExceeded(rt));
    this.track(this.startContainers(rt));
  }

  private async startContainers(rt: PodRuntime): Promise<void> {
    try {
      rt.volumes = await createSharedVolumes(this.opts.docker, this.opts.instance, rt.pod);
    } catch (err) {
      for (const c of rt.initContainers.length ? rt.initContainers : rt.containers)
        c.state = { waiting: { reason: 'CreateContainerError', message: engineMessage(err) } };
      this.publish(rt);
      return;
    }
    if (rt.gone || rt.deleting) return this.removeVolumes(rt);
    if (!rt.initialized) return this.runInitContainers(rt);
    await this.startAppContainers(rt);
  }

  /** The network of a pod's first container, and of its init containers (which run before it exists). */
  private ownNetwork(rt: PodRuntime): { mode: 'bridge' | 'none' } {
    const policies = this.opts.store.list('networkpolicies', rt.namespace) as unknown as V1NetworkPolicy[];
    return { mode: podMayEgress(policies, rt.pod.metadata?.labels) ? 'bridge' : 'none' };
  }

  private async startAppContainers(rt: PodRuntime): Promise<void> {
    for (const [i, c] of rt.containers.entries()) {
      const network = i === 0 ? this.ownNetwork(rt) : { container: rt.containers[0]!.dockerName };
      await this.startContainer(rt, c, network);
      if (rt.gone || rt.deleting || rt.failed) return;
      if (!c.state.running) return; // a later retry continues from here
    }
  }

  /**
   * Starts the first init container that has not exited 0 (watchExit calls this again when it
   * does); once all have, the pod is Initialized and its containers start.
   */
  private async runInitContainers(rt: PodRuntime): Promise<void> {
    if (rt.gone || rt.deleting || rt.failed) return;
    const next = rt.initContainers.find((c) => c.state.terminated?.exitCode !== 0);
    if (next) return this.startContainer(rt, next, this.ownNetwork(rt));
    rt.initialized = true;
    this.publish(rt);
    await this.startAppContainers(rt);
  }

  private async imagePresent(image: string): Promise<{ id: string; user: string } | undefined> {
    try {
      const info = await this.opts.docker.getImage(image).inspect();
      return { id: info.Id, user: info.Config?.User ?? '' };
    } catch {
      return undefined;
    }
  }

  private async startContainer(
    rt: PodRuntime,
    c: ContainerRuntime,
    network: Parameters<typeof containerOptions>[3],
  ): Promise<void> {
    const image = c.spec.image!;
    const present = await this.imagePresent(image);
    if (rt.gone || rt.deleting) return;
    if (!present) return this.imageMissing(rt, c, network);
    c.imageId = present.id;
    const nonRoot = this.nonRootError(rt, c, present.user);
    if (nonRoot) {
      c.state = { waiting: { reason: 'CreateContainerConfigError', message: nonRoot } };
      this.publish(rt);
      return;
    }
    const docker = this.opts.docker;
    if (!c.id) {
      try {
        const created = await docker.createContainer(
          containerOptions(this.opts.instance, rt.pod, c.spec, network, rt.volumes),
        );
        c.id = created.id;
      } catch (err) {
        c.state = { waiting: { reason: 'CreateContainerError', message: engineMessage(err) } };
        this.publish(rt);
        return;
      }
      if (this.closing || rt.gone || rt.deleting) {
        await docker
          .getContainer(c.id)
          .remove({ force: true })
          .catch(() => undefined);
        return;
      }
    }
    const ctr = docker.getContainer(c.id);
    try {
      await ctr.start();
    } catch (err) {
      const now = kubeTime();
      const message = `failed to create containerd task: failed to create shim task: ${engineMessage(err)}`;
      c.lastState = {
        terminated: {
          exitCode: 128,
          reason: 'StartError',
          message,
          startedAt: new Date(0).toISOString().replace('.000', '') as never,
          finishedAt: now as never,
          containerID: `docker://${c.id}`,
        },
      };
      c.state = { waiting: { reason: 'RunContainerError', message } };
      this.publish(rt);
      this.backoffRestart(rt, c, network, true);
      return;
    }
    if (rt.gone || rt.deleting) return;
    await this.openEmptyDirs(ctr, emptyDirPaths(rt.pod, c.spec, rt.volumes));
    const info = await ctr.inspect().catch(() => undefined);
    c.state = { running: { startedAt: kubeTime(info ? new Date(info.State.StartedAt) : new Date()) as never } };
    c.started = true;
    if (rt.containers[0] === c && !rt.podIP) {
      rt.podIP =
        Object.values(info?.NetworkSettings?.Networks ?? {}).find((n) => n.IPAddress)?.IPAddress ||
        `10.244.0.${(++syntheticIp % 250) + 2}`;
    }
    this.publish(rt);
    this.track(this.watchExit(rt, c, network));
  }

  private async watchExit(
    rt: PodRuntime,
    c: ContainerRuntime,
    network: Parameters<typeof containerOptions>[3],
  ): Promise<void> {
    const ctr = this.opts.docker.getContainer(c.id!);
    const result = (await ctr.wait().catch(() => undefined)) as { StatusCode?: number } | undefined;
    if (rt.gone || rt.deleting) return;
    const info = await ctr.inspect().catch(() => undefined);
    const exitCode = result?.StatusCode ?? info?.State.ExitCode ?? 137;
    const oom = info?.State.OOMKilled === true;
    c.state = {
      terminated: {
        exitCode,
        reason: oom ? 'OOMKilled' : exitCode === 0 ? 'Completed' : 'Error',
        startedAt: c.state.running?.startedAt,
        finishedAt: kubeTime(info ? new Date(info.State.FinishedAt) : new Date()) as never,
        containerID: `docker://${c.id}`,
      },
    };
    if (rt.failed) {
      this.publish(rt);
      return;
    }
    const policy = rt.pod.spec?.restartPolicy ?? 'Always';
    if (c.init && exitCode === 0) {
      this.publish(rt);
      return this.runInitContainers(rt);
    }
    // An init container that failed under restartPolicy Never fails the pod (phase Failed, no reason).
    if (c.init && policy === 'Never') rt.failed = { reason: '', message: '' };
    if (policy === 'Always' || (policy === 'OnFailure' && exitCode !== 0) || (c.init && policy !== 'Never')) {
      if (c.init) this.publish(rt); // Init:Error, then the back-off's Init:CrashLoopBackOff
      c.lastState = c.state;
      this.backoffRestart(rt, c, network, false);
      return;
    }
    this.publish(rt);
  }

  /** CrashLoopBackOff: wait the back-off, then start the container again. */
  private backoffRestart(
    rt: PodRuntime,
    c: ContainerRuntime,
    network: Parameters<typeof containerOptions>[3],
    failedStart: boolean,
  ): void {
    const delay = c.backoffMs;
    c.backoffMs = Math.min(c.backoffMs * 2, BACKOFF_MAX_MS);
    if (!failedStart) {
      c.restartCount++;
      c.state = {
        waiting: {
          reason: 'CrashLoopBackOff',
          message: `back-off ${Math.round(delay / 1000)}s restarting failed container=${c.spec.name} pod=${rt.name}_${rt.namespace}(${rt.uid})`,
        },
      };
      this.publish(rt);
    }
    this.later(rt, delay, () => {
      if (failedStart) {
        c.restartCount++;
        const old = c.id;
        c.id = undefined;
        if (old)
          void this.opts.docker
            .getContainer(old)
            .remove({ force: true })
            .catch(() => undefined);
      }
      this.track(
        this.startContainer(rt, c, network).then(() => {
          if (c.state.running) this.track(this.startRemaining(rt));
        }),
      );
    });
    if (failedStart) {
      // Between attempts the kubelet reports the back-off, like a container that crashed.
      this.later(rt, Math.min(1000, delay / 2), () => {
        if (rt.gone || rt.deleting || c.state.running) return;
        c.state = {
          waiting: {
            reason: 'CrashLoopBackOff',
            message: `back-off ${Math.round(delay / 1000)}s restarting failed container=${c.spec.name} pod=${rt.name}_${rt.namespace}(${rt.uid})`,
          },
        };
        this.publish(rt);
      });
    }
  }

  private async startRemaining(rt: PodRuntime): Promise<void> {
    if (!rt.initialized || rt.containers.every((c) => c.started)) return;
    const first = rt.containers[0]!;
    for (const c of rt.containers) {
      if (c.started || c === first) continue;
      await this.startContainer(rt, c, { container: first.dockerName });
      if (!c.state.running) return;
    }
  }

  private imageMissing(rt: PodRuntime, c: ContainerRuntime, network: Parameters<typeof containerOptions>[3]): void {
    const image = c.spec.image!;
    if (c.spec.imagePullPolicy === 'Never') {
      c.state = {
        waiting: {
          reason: 'ErrImageNeverPull',
          message: `Container image "${image}" is not present with pull policy of Never`,
        },
      };
      this.publish(rt);
      return;
    }
    const ref = normalizedReference(image);
    c.state = {
      waiting: {
        reason: 'ErrImagePull',
        message: `failed to pull and unpack image "${ref}": failed to resolve reference "${ref}": pull access denied, repository does not exist or may require authorization: server message: insufficient_scope: authorization failed`,
      },
    };
    this.publish(rt);
    const delay = c.backoffMs;
    c.backoffMs = Math.min(c.backoffMs * 2, BACKOFF_MAX_MS);
    this.later(rt, PULL_FAILURE_MS, () => {
      c.state = { waiting: { reason: 'ImagePullBackOff', message: `Back-off pulling image "${image}"` } };
      this.publish(rt);
      this.later(rt, delay, () =>
        this.track(
          this.startContainer(rt, c, network).then(() => {
            if (c.state.running) this.track(this.startRemaining(rt));
          }),
        ),
      );
    });
  }

  /** The kubelet's runAsNonRoot verification against the image's user. */
  private nonRootError(rt: PodRuntime, c: ContainerRuntime, imageUser: string): string | undefined {
    const nonRoot = c.spec.securityContext?.runAsNonRoot ?? rt.pod.spec?.securityContext?.runAsNonRoot;
    if (!nonRoot) return undefined;
    const uid = c.spec.securityContext?.runAsUser ?? rt.pod.spec?.securityContext?.runAsUser;
    const podRef = `pod: "${rt.name}_${rt.namespace}(${rt.uid})", container: ${c.spec.name}`;
    if (uid !== undefined) return uid === 0 ? `container's runAsUser breaks non-root policy (${podRef})` : undefined;
    const user = imageUser.split(':')[0] ?? '';
    if (user === '' || user === '0' || user === 'root')
      return `container has runAsNonRoot and image will run as root (${podRef})`;
    if (!/^\d+$/.test(user))
      return `container has runAsNonRoot and image has non-numeric user (${user}), cannot verify user is non-root (${podRef})`;
    return undefined;
  }

  private deadlineExceeded(rt: PodRuntime): void {
    if (rt.gone || rt.deleting || rt.failed) return;
    rt.failed = {
      reason: 'DeadlineExceeded',
      message: 'Pod was active on the node longer than the specified deadline',
    };
    for (const c of [...rt.initContainers, ...rt.containers])
      if (c.state.waiting)
        c.state = {
          terminated: {
            exitCode: 137,
            reason: 'ContainerStatusUnknown',
            message: 'The container could not be located when the pod was terminated',
            finishedAt: kubeTime() as never,
          },
        };
    this.publish(rt);
    this.track(
      Promise.all(
        [...rt.initContainers, ...rt.containers]
          .filter((c) => c.id && c.state.running)
          .map((c) =>
            this.opts.docker
              .getContainer(c.id!)
              .kill()
              .catch(() => undefined),
          ),
      ).then(() => this.retryUnschedulable()),
    );
  }

  // ---- status ----

  private condition(rt: PodRuntime, type: string, ok: boolean, reason?: string, message?: string): V1PodCondition {
    const status = ok ? 'True' : 'False';
    const prev = rt.transitions.get(type);
    const at = prev && prev.status === status ? prev.at : kubeTime();
    rt.transitions.set(type, { status, at });
    const c: V1PodCondition = { type, status, lastProbeTime: null as never, lastTransitionTime: at as never };
    if (reason) c.reason = reason;
    if (message) c.message = message;
    return c;
  }

  private status(rt: PodRuntime, current: KubeObject): V1Pod['status'] {
    const prior = (current.status ?? {}) as NonNullable<V1Pod['status']>;
    if (!rt.scheduled) {
      return {
        phase: 'Pending',
        conditions: rt.unschedulableMessage
          ? [this.condition(rt, 'PodScheduled', false, 'Unschedulable', rt.unschedulableMessage)]
          : [],
        qosClass: prior.qosClass,
      };
    }
    const statusOf = (c: ContainerRuntime): V1ContainerStatus => ({
      name: c.spec.name,
      state: c.state,
      lastState: c.lastState,
      // An init container is ready once it has exited 0.
      ready: c.init ? c.state.terminated?.exitCode === 0 : !!c.state.running && !rt.failed,
      restartCount: c.restartCount,
      image: c.spec.image!,
      imageID: c.imageId ?? '',
      ...(c.id && (c.state.running || c.state.terminated) ? { containerID: `docker://${c.id}` } : {}),
      started: !!c.state.running,
    });
    const statuses = rt.containers.map(statusOf);
    const incomplete = rt.initContainers.filter((c) => c.state.terminated?.exitCode !== 0).map((c) => c.spec.name);
    const allStarted = rt.containers.every((c) => c.started);
    const allReady = statuses.every((s) => s.ready);
    const unready = statuses.filter((s) => !s.ready).map((s) => s.name);
    const terminal = rt.containers.every((c) => c.state.terminated);
    const policy = rt.pod.spec?.restartPolicy ?? 'Always';
    const allZero = terminal && rt.containers.every((c) => c.state.terminated!.exitCode === 0);
    let phase = 'Pending';
    if (rt.failed) phase = 'Failed';
    else if (terminal && policy === 'Never') phase = allZero ? 'Succeeded' : 'Failed';
    else if (terminal && policy === 'OnFailure' && allZero) phase = 'Succeeded';
    else if (allStarted && rt.initialized) phase = 'Running';
    const notReady = `containers with unready status: [${unready.join(' ')}]`;
    const status: NonNullable<V1Pod['status']> = {
      phase,
      conditions: [
        this.condition(rt, 'PodReadyToStartContainers', !rt.failed && phase !== 'Succeeded'),
        this.condition(
          rt,
          'Initialized',
          rt.initialized,
          rt.initialized ? undefined : 'ContainersNotInitialized',
          rt.initialized ? undefined : `containers with incomplete status: [${incomplete.join(' ')}]`,
        ),
        this.condition(
          rt,
          'Ready',
          allReady,
          allReady ? undefined : phase === 'Failed' || phase === 'Succeeded' ? 'PodCompleted' : 'ContainersNotReady',
          allReady ? undefined : notReady,
        ),
        this.condition(
          rt,
          'ContainersReady',
          allReady,
          allReady ? undefined : phase === 'Failed' || phase === 'Succeeded' ? 'PodCompleted' : 'ContainersNotReady',
          allReady ? undefined : notReady,
        ),
        this.condition(rt, 'PodScheduled', true),
      ],
      hostIP: HOST_IP,
      hostIPs: [{ ip: HOST_IP }],
      ...(rt.podIP ? { podIP: rt.podIP, podIPs: [{ ip: rt.podIP }] } : {}),
      startTime: rt.startTime as never,
      ...(rt.initContainers.length ? { initContainerStatuses: rt.initContainers.map(statusOf) } : {}),
      containerStatuses: statuses,
      qosClass: prior.qosClass,
    };
    if (rt.failed?.reason) {
      status.reason = rt.failed.reason;
      status.message = rt.failed.message;
    }
    return status;
  }

  private publish(rt: PodRuntime): void {
    if (rt.gone) return;
    const current = this.opts.store.get('pods', rt.namespace, rt.name);
    if (!current || current.metadata.uid !== rt.uid) return;
    this.opts.store.update('pods', rt.namespace, rt.name, (o) => {
      o.status = this.status(rt, o);
    });
  }

  // ---- plumbing ----

  private later(rt: PodRuntime, ms: number, fn: () => void): void {
    const t = setTimeout(() => {
      rt.timers.delete(t);
      if (!rt.gone && !this.closing) fn();
    }, ms);
    rt.timers.add(t);
  }

  private clearTimers(rt: PodRuntime): void {
    for (const t of rt.timers) clearTimeout(t);
    rt.timers.clear();
  }

  private track(p: Promise<unknown>): void {
    const q = p.catch(() => undefined);
    this.inflight.add(q);
    void q.finally(() => this.inflight.delete(q));
  }
}

function key(namespace: string, name: string): string {
  return `${namespace}/${name}`;
}

function engineMessage(err: unknown): string {
  const e = err as { json?: { message?: string }; message?: string };
  return (e.json?.message ?? e.message ?? String(err)).replace(/^\(HTTP code \d+\) [a-z ]+ - /, '').trim();
}

/** `nope` → `docker.io/library/nope:latest`, the way containerd names what it failed to pull. */
function normalizedReference(image: string): string {
  let ref = image;
  const first = ref.split('/')[0]!;
  if (!ref.includes('/')) ref = `docker.io/library/${ref}`;
  else if (!first.includes('.') && !first.includes(':') && first !== 'localhost') ref = `docker.io/${ref}`;
  const last = ref.slice(ref.lastIndexOf('/') + 1);
  if (!last.includes(':') && !ref.includes('@')) ref += ':latest';
  return ref;
}

/** Removes every container whose labels `select` picks (a fake's own on close, dead fakes' at start). */
export async function reapContainers(
  docker: Dockerode,
  select: (labels: Record<string, string>) => boolean,
): Promise<number> {
  const all = await docker.listContainers({ all: true, filters: { label: [INSTANCE_LABEL] } }).catch(() => []);
  const mine = all.filter((c) => select(c.Labels ?? {}));
  await Promise.all(
    mine.map((c) =>
      docker
        .getContainer(c.Id)
        .remove({ force: true })
        .catch(() => undefined),
    ),
  );
  return mine.length;
}
