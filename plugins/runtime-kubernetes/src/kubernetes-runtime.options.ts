/** What a sandbox pod is made from. The gateway owns this: requests only pick a template by name. */
export interface KubernetesTemplate {
  image: string;
  /** Opt in to egress (the `sandboxed-allow-egress` NetworkPolicy); default false: no network at all. */
  egress: boolean;
  /** gVisor, Kata, ...: overrides the runtime-wide runtimeClassName. */
  runtimeClassName?: string;
  /** Default true: only /workspace, /tmp and /var/tmp (emptyDirs) are writable. */
  readOnlyRootFilesystem: boolean;
  imagePullPolicy: ImagePullPolicy;
  /** Informational, used by capability-code. */
  language?: string;
  /** Extra environment for every sandbox of this template (the request's env wins). */
  env: Record<string, string>;
}

export type ImagePullPolicy = 'Always' | 'IfNotPresent' | 'Never';

/** `auto`: KUBECONFIG, else in-cluster when KUBERNETES_SERVICE_HOST is set, else ~/.kube/config. */
export type KubeconfigSource = 'auto' | 'in-cluster' | string;

export interface KubernetesRuntimeOptions {
  kubeconfig: KubeconfigSource;
  context?: string;
  namespace: string;
  templates: Record<string, KubernetesTemplate>;
  runtimeClassName?: string;
  /** How long create waits for the pod to be Ready before it fails (and deletes the pod). */
  readyTimeoutMs: number;
  /** Deadline for one API call (not for exec streams), so a stuck API server surfaces as 503. */
  apiTimeoutMs: number;
  /** `manage`: create the default-deny and egress NetworkPolicies at boot; `external`: the operator does. */
  networkPolicy: 'manage' | 'external';
  defaultCpu: number;
  defaultMemoryMb: number;
  defaultDiskMb: number;
  /** The images' sandbox user (uid and gid); pods run as it, never as root. */
  sandboxUid: number;
  /**
   * An image holding only the static sandbox agent at `/sandbox-agent` (scripts/build-images.sh
   * agent). Set: every sandbox pod installs the agent from an init container into a read-only
   * volume, so it runs in images with no `tar` (pod-spec.builder.ts). Absent: the gateway copies it in.
   */
  agentImage?: { image: string; imagePullPolicy: ImagePullPolicy };
}

export interface KubernetesRuntimeLogger {
  log(msg: string): void;
  warn(msg: string): void;
}
