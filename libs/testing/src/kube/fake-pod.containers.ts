import type { ContainerCreateOptions, MountSettings } from 'dockerode';
import type { V1Container, V1Pod } from '@kubernetes/client-node';
import { parseQuantity } from './kube-quantity.js';

/**
 * How the fake kubelet turns one container of a pod into a Docker container:
 *
 * | Pod field                                        | Docker                                        |
 * |--------------------------------------------------|-----------------------------------------------|
 * | image                                            | Image (must exist locally; nothing is pulled) |
 * | command / args                                   | Entrypoint / Cmd (each replaces the image's)  |
 * | env (value only; valueFrom is not supported)     | Env                                           |
 * | workingDir                                       | WorkingDir                                    |
 * | runAsUser / runAsGroup (container over pod)      | User "uid[:gid]" (unset: the image's user)    |
 * | pod fsGroup, supplementalGroups                  | GroupAdd                                      |
 * | readOnlyRootFilesystem                           | ReadonlyRootfs                                |
 * | capabilities.drop / add                          | CapDrop / CapAdd                              |
 * | allowPrivilegeEscalation: false                  | SecurityOpt no-new-privileges                 |
 * | seccompProfile Unconfined (container over pod)   | SecurityOpt seccomp=unconfined (else Docker's default profile, which is what RuntimeDefault means) |
 * | emptyDir volumes                                 | a tmpfs at each volumeMount (size from sizeLimit), chmod 0777 after start |
 * | an emptyDir several containers mount (init too)  | a Docker volume, 0777, made before and removed after the pod's containers (fake-emptydir.volumes.ts) |
 * | initContainers                                   | run one at a time, each to completion, before the containers (fake-kubelet.ts) |
 * | spec.hostname (else the pod name)                | Hostname                                      |
 * | resources.limits.memory                          | Memory and MemorySwap (no swap, as on a kubelet) |
 * | resources.limits.cpu                             | NanoCpus                                      |
 * | (Kubernetes has no init process)                 | Init: false                                   |
 * | NetworkPolicy egress (see network-policy.egress) | NetworkMode none, or Docker's default bridge  |
 * | the pod's second and later containers            | NetworkMode container:<first container>       |
 * | init containers                                  | a network namespace of their own, by the same egress rule (they run before the first container exists) |
 *
 * Every container carries the label `sandboxed.fake-kube=<instance id>` (plus the owning pid)
 * so close() and a later start reap what is left. Privileged containers, host namespaces,
 * hostPath and other volume types are never given to Docker: the kubelet reports
 * CreateContainerConfigError for them (see unsupportedReason). No host mounts, no host network.
 */
export const INSTANCE_LABEL = 'sandboxed.fake-kube';
export const OWNER_PID_LABEL = 'sandboxed.fake-kube.pid';
export const POD_LABEL = 'sandboxed.fake-kube.pod';

export interface ContainerPlan {
  name: string;
  options: ContainerCreateOptions;
}

/** Why the fake refuses to run this pod at all (a message for CreateContainerConfigError), if it does. */
export function unsupportedReason(pod: V1Pod): string | undefined {
  const spec = pod.spec!;
  if (spec.hostNetwork || spec.hostPID || spec.hostIPC) return 'fake-kube does not run pods in host namespaces';
  for (const v of spec.volumes ?? []) {
    const kinds = Object.keys(v).filter((k) => k !== 'name');
    if (kinds.length !== 1 || kinds[0] !== 'emptyDir')
      return `fake-kube supports only emptyDir volumes (volume "${v.name}")`;
  }
  for (const c of spec.initContainers ?? []) {
    if (c.restartPolicy) return `fake-kube does not run sidecar init containers (restartPolicy, container "${c.name}")`;
  }
  for (const c of [...(spec.initContainers ?? []), ...spec.containers]) {
    if (c.securityContext?.privileged) return `fake-kube does not run privileged containers (container "${c.name}")`;
    for (const e of c.env ?? []) {
      if (e.valueFrom) return `fake-kube does not support env valueFrom (container "${c.name}", variable "${e.name}")`;
    }
  }
  return undefined;
}

function userOf(pod: V1Pod, c: V1Container): string | undefined {
  const uid = c.securityContext?.runAsUser ?? pod.spec?.securityContext?.runAsUser;
  const gid = c.securityContext?.runAsGroup ?? pod.spec?.securityContext?.runAsGroup;
  if (uid === undefined && gid === undefined) return undefined;
  // A group without a user keeps the image's user, which Docker cannot express by number alone.
  return gid === undefined ? String(uid) : `${uid ?? 0}:${gid}`;
}

/**
 * Where the container's emptyDirs are mounted. Docker copies an image directory's mode onto a
 * tmpfs mounted over it (/workspace becomes root 0755), so the kubelet part chmods them to 0777
 * after start, as a kubelet creates every emptyDir.
 */
export function emptyDirPaths(pod: V1Pod, c: V1Container, shared: ReadonlyMap<string, string>): string[] {
  return (c.volumeMounts ?? [])
    .filter(
      (m) =>
        !m.readOnly && !shared.has(m.name) && (pod.spec?.volumes ?? []).some((v) => v.name === m.name && v.emptyDir),
    )
    .map((m) => m.mountPath);
}

/** The shared emptyDirs (volume name → Docker volume) this container mounts, never copying image content in. */
function volumeMounts(c: V1Container, shared: ReadonlyMap<string, string>): MountSettings[] {
  return (c.volumeMounts ?? [])
    .filter((m) => shared.has(m.name))
    .map((m) => ({
      Type: 'volume' as const,
      Source: shared.get(m.name)!,
      Target: m.mountPath,
      ReadOnly: m.readOnly === true,
      // @types/dockerode wants Labels and DriverConfig too; the engine takes NoCopy alone.
      VolumeOptions: { NoCopy: true } as MountSettings['VolumeOptions'],
    }));
}

function tmpfsMounts(pod: V1Pod, c: V1Container, shared: ReadonlyMap<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of c.volumeMounts ?? []) {
    const vol = (pod.spec?.volumes ?? []).find((v) => v.name === m.name);
    if (!vol?.emptyDir || shared.has(m.name)) continue;
    // Docker's tmpfs default is noexec; an emptyDir is not.
    const opts = ['rw', 'nosuid', 'nodev', 'exec'];
    const size = parseQuantity(vol.emptyDir.sizeLimit);
    if (size !== undefined && size > 0) opts.push(`size=${Math.ceil(size)}`);
    if (m.readOnly) opts[0] = 'ro';
    out[m.mountPath] = opts.join(',');
  }
  return out;
}

export function containerName(instance: string, pod: V1Pod, c: V1Container): string {
  return `fake-kube-${instance}-${pod.metadata!.namespace}-${pod.metadata!.name}-${c.name}`.slice(0, 250);
}

/** Docker create options for container `c` of `pod`; `network` is the first container's name for the others. */
export function containerOptions(
  instance: string,
  pod: V1Pod,
  c: V1Container,
  network: { mode: 'none' | 'bridge' } | { container: string },
  shared: ReadonlyMap<string, string> = new Map(),
): ContainerCreateOptions {
  const sc = c.securityContext;
  const podSc = pod.spec?.securityContext;
  const limits = (c.resources?.limits ?? {}) as Record<string, string>;
  const memory = parseQuantity(limits.memory);
  const cpu = parseQuantity(limits.cpu);
  const groups = [...(podSc?.fsGroup !== undefined ? [podSc.fsGroup] : []), ...(podSc?.supplementalGroups ?? [])].map(
    String,
  );
  const securityOpt: string[] = [];
  if (sc?.allowPrivilegeEscalation === false) securityOpt.push('no-new-privileges');
  if ((sc?.seccompProfile?.type ?? podSc?.seccompProfile?.type) === 'Unconfined')
    securityOpt.push('seccomp=unconfined');
  const user = userOf(pod, c);
  return {
    name: containerName(instance, pod, c),
    Image: c.image!,
    ...(c.command ? { Entrypoint: c.command } : {}),
    // Kubernetes: command without args runs the command alone; args without command keep the entrypoint.
    ...(c.args ? { Cmd: c.args } : c.command ? { Cmd: [] } : {}),
    Env: (c.env ?? []).map((e) => `${e.name}=${e.value ?? ''}`),
    ...(c.workingDir ? { WorkingDir: c.workingDir } : {}),
    ...(user !== undefined ? { User: user } : {}),
    Hostname: (pod.spec?.hostname ?? pod.metadata!.name!).slice(0, 63),
    Labels: {
      [INSTANCE_LABEL]: instance,
      [OWNER_PID_LABEL]: String(process.pid),
      [POD_LABEL]: `${pod.metadata!.namespace}/${pod.metadata!.name}/${c.name}`,
    },
    Tty: c.tty === true,
    OpenStdin: c.stdin === true,
    HostConfig: {
      Init: false,
      NetworkMode: 'container' in network ? `container:${network.container}` : network.mode,
      ReadonlyRootfs: sc?.readOnlyRootFilesystem === true,
      CapDrop: sc?.capabilities?.drop ?? [],
      CapAdd: sc?.capabilities?.add ?? [],
      SecurityOpt: securityOpt,
      GroupAdd: groups,
      Tmpfs: tmpfsMounts(pod, c, shared),
      Mounts: volumeMounts(c, shared),
      ...(memory !== undefined ? { Memory: Math.floor(memory), MemorySwap: Math.floor(memory) } : {}),
      ...(cpu !== undefined ? { NanoCpus: Math.round(cpu * 1e9) } : {}),
      RestartPolicy: { Name: 'no' },
    },
  };
}
