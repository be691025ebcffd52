import type { V1Pod, V1SecurityContext } from '@kubernetes/client-node';
import {
  checkedEnv,
  IMAGE_SUBREAPER,
  InvalidArgumentError,
  type SandboxResources,
  type SandboxSpec,
} from '@sandboxed/plugin-sdk';
import type { KubernetesRuntimeOptions, KubernetesTemplate } from './kubernetes-runtime.options.js';
import { CONTAINER_NAME, podMetadata } from './pod-labels.codec.js';

export const SANDBOX_WORKDIR = '/workspace';
/** The writable directories of a read-only sandbox, each an emptyDir bounded by diskMb. */
export const WRITABLE_DIRS = [
  { name: 'workspace', path: SANDBOX_WORKDIR },
  { name: 'tmp', path: '/tmp' },
  { name: 'var-tmp', path: '/var/tmp' },
] as const;
/**
 * With `agentImage`: the init container `install-agent` copies the static agent into this
 * emptyDir, which the sandbox container mounts read-only, outside /workspace (docs/agent.md).
 */
export const AGENT_INIT_CONTAINER = 'install-agent';
export const AGENT_VOLUME = 'sandboxed-agent';
export const AGENT_MOUNT = '/opt/sandboxed-agent';
export const PREINSTALLED_AGENT = `${AGENT_MOUNT}/sandbox-agent`;
/** The agent is under 1 MiB; its install writes a temp copy beside it, then renames. */
const AGENT_VOLUME_MB = 8;
/** Room for the container's own writable layer and logs, on top of the emptyDirs. */
const EPHEMERAL_OVERHEAD_MB = 64;
/** The kernel reaps at expiry; the pod's own deadline is the backstop when no gateway runs. */
const DEADLINE_GRACE_SECONDS = 300;

export type PodResources = Required<Pick<SandboxResources, 'cpu' | 'memoryMb' | 'diskMb'>>;

/** What the sandbox gets (and reports). pids are not a pod field: the kubelet's podPidsLimit bounds them. */
export function effectiveResources(spec: SandboxSpec, options: KubernetesRuntimeOptions): PodResources {
  const cpu = spec.resources.cpu ?? options.defaultCpu;
  const memoryMb = spec.resources.memoryMb ?? options.defaultMemoryMb;
  const diskMb = spec.resources.diskMb ?? options.defaultDiskMb;
  if (!(cpu > 0) || !(memoryMb >= 6)) throw new InvalidArgumentError('resources: cpu must be > 0 and memoryMb >= 6');
  if (!(Number.isInteger(diskMb) && diskMb >= 1))
    throw new InvalidArgumentError('resources: diskMb must be an integer >= 1');
  return { cpu, memoryMb, diskMb };
}

function securityContext(uid: number, readOnlyRoot: boolean): V1SecurityContext {
  return {
    runAsNonRoot: true,
    runAsUser: uid,
    runAsGroup: uid,
    allowPrivilegeEscalation: false,
    privileged: false,
    capabilities: { drop: ['ALL'] },
    readOnlyRootFilesystem: readOnlyRoot,
    seccompProfile: { type: 'RuntimeDefault' },
  };
}

/**
 * The whole pod comes from the template, the runtime's options and this function: nothing in a
 * request can add volumes, init containers, privileges, capabilities, host namespaces or a service
 * account. It passes the Pod Security Standards "restricted" profile.
 */
export function buildPod(
  spec: SandboxSpec,
  template: KubernetesTemplate,
  options: KubernetesRuntimeOptions,
  createdAt: Date,
): V1Pod {
  const resources = effectiveResources(spec, options);
  const uid = options.sandboxUid;
  const agent = options.agentImage;
  const disk = resources.diskMb * WRITABLE_DIRS.length + EPHEMERAL_OVERHEAD_MB + (agent ? AGENT_VOLUME_MB : 0);
  const quantity = {
    cpu: `${Math.round(resources.cpu * 1000)}m`,
    memory: `${resources.memoryMb}Mi`,
    'ephemeral-storage': `${disk}Mi`,
  };
  const ttlSeconds = Math.max(1, Math.ceil((new Date(spec.expiresAt).getTime() - createdAt.getTime()) / 1000));
  const runtimeClassName = template.runtimeClassName ?? options.runtimeClassName;
  const env = checkedEnv({ HOME: SANDBOX_WORKDIR, LANG: 'C.UTF-8', ...template.env, ...spec.env });
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { ...podMetadata(spec, resources, createdAt, template.egress), namespace: options.namespace },
    spec: {
      automountServiceAccountToken: false,
      enableServiceLinks: false,
      hostname: 'sandbox',
      restartPolicy: 'Always',
      terminationGracePeriodSeconds: 1,
      activeDeadlineSeconds: ttlSeconds + DEADLINE_GRACE_SECONDS,
      ...(runtimeClassName ? { runtimeClassName } : {}),
      securityContext: {
        runAsNonRoot: true,
        runAsUser: uid,
        runAsGroup: uid,
        fsGroup: uid,
        seccompProfile: { type: 'RuntimeDefault' },
      },
      ...(agent
        ? {
            // Runs to completion before the sandbox starts; the same user, hardening and limits.
            initContainers: [
              {
                name: AGENT_INIT_CONTAINER,
                image: agent.image,
                imagePullPolicy: agent.imagePullPolicy,
                command: ['/sandbox-agent', '--install', PREINSTALLED_AGENT],
                securityContext: securityContext(uid, true),
                resources: { requests: quantity, limits: quantity },
                volumeMounts: [{ name: AGENT_VOLUME, mountPath: AGENT_MOUNT }],
              },
            ],
          }
        : {}),
      containers: [
        {
          name: CONTAINER_NAME,
          image: template.image,
          imagePullPolicy: template.imagePullPolicy,
          // tini reaps orphans as PID 1 and is the subreaper every exec runs under.
          command: [IMAGE_SUBREAPER, '-s', '--', 'sleep', 'infinity'],
          workingDir: SANDBOX_WORKDIR,
          env: env.map(([name, value]) => ({ name, value })),
          securityContext: securityContext(uid, template.readOnlyRootFilesystem),
          resources: { requests: quantity, limits: quantity },
          volumeMounts: [
            ...WRITABLE_DIRS.map((d) => ({ name: d.name, mountPath: d.path })),
            ...(agent ? [{ name: AGENT_VOLUME, mountPath: AGENT_MOUNT, readOnly: true }] : []),
          ],
        },
      ],
      volumes: [
        ...WRITABLE_DIRS.map((d) => ({ name: d.name, emptyDir: { sizeLimit: `${resources.diskMb}Mi` } })),
        ...(agent ? [{ name: AGENT_VOLUME, emptyDir: { sizeLimit: `${AGENT_VOLUME_MB}Mi` } }] : []),
      ],
    },
  };
}
