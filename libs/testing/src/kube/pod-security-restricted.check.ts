import type { V1Container, V1ObjectMeta, V1Pod, V1PodSpec } from '@kubernetes/client-node';

/**
 * The Pod Security Standards checks (k8s.io/pod-security-admission/policy, level "latest"),
 * as pure functions over a pod spec. Each violation reads `<reason> (<detail>)` in the
 * admission plugin's wording, so the joined list is what the API server puts after
 * `violates PodSecurity "restricted:latest": `.
 *
 * Order is the admission plugin's: the baseline checks a level keeps (alphabetical by check
 * id), then the restricted ones; restricted replaces baseline's capabilities, hostPath and
 * seccomp checks with its stricter versions.
 */
export type PodSecurityLevel = 'privileged' | 'baseline' | 'restricted';

type AnyContainer = Pick<V1Container, 'name' | 'securityContext' | 'ports'>;

interface Check {
  id: string;
  level: 'baseline' | 'restricted';
  overrides?: string[];
  run(meta: V1ObjectMeta | undefined, spec: V1PodSpec): string | undefined;
}

function containersOf(spec: V1PodSpec): AnyContainer[] {
  return [
    ...(spec.initContainers ?? []),
    ...(spec.containers ?? []),
    ...((spec.ephemeralContainers ?? []) as AnyContainer[]),
  ];
}

function pluralize(one: string, many: string, n: number): string {
  return n === 1 ? one : many;
}

function joinQuote(items: string[]): string {
  return items.map((i) => JSON.stringify(i)).join(', ');
}

function containersPhrase(names: string[]): string {
  return `${pluralize('container', 'containers', names.length)} ${joinQuote(names)}`;
}

function violation(reason: string, detail: string): string {
  return `${reason} (${detail})`;
}

const BASELINE_CAPABILITIES = new Set([
  'AUDIT_WRITE',
  'CHOWN',
  'DAC_OVERRIDE',
  'FOWNER',
  'FSETID',
  'KILL',
  'MKNOD',
  'NET_BIND_SERVICE',
  'SETFCAP',
  'SETGID',
  'SETPCAP',
  'SETUID',
  'SYS_CHROOT',
]);

const SAFE_SYSCTLS = new Set([
  'kernel.shm_rmid_forced',
  'net.ipv4.ip_local_port_range',
  'net.ipv4.ip_unprivileged_port_start',
  'net.ipv4.tcp_syncookies',
  'net.ipv4.ping_group_range',
  'net.ipv4.ip_local_reserved_ports',
  'net.ipv4.tcp_keepalive_time',
  'net.ipv4.tcp_fin_timeout',
  'net.ipv4.tcp_keepalive_intvl',
  'net.ipv4.tcp_keepalive_probes',
  'net.ipv4.tcp_rmem',
  'net.ipv4.tcp_wmem',
]);

const RESTRICTED_VOLUME_TYPES = new Set([
  'configMap',
  'csi',
  'downwardAPI',
  'emptyDir',
  'ephemeral',
  'persistentVolumeClaim',
  'projected',
  'secret',
]);

const SELINUX_TYPES = new Set(['', 'container_t', 'container_init_t', 'container_kvm_t', 'container_engine_t']);

function volumeType(volume: Record<string, unknown>): string {
  return Object.keys(volume).find((k) => k !== 'name') ?? 'unknown';
}

/** Baseline and restricted seccomp share their "explicitly bad setter" wording. */
function badSeccompSetters(
  spec: V1PodSpec,
  valid: (type: string | undefined) => boolean,
): { setters: string[]; values: string[]; podSet: boolean; implicit: string[] } {
  const setters: string[] = [];
  const values = new Set<string>();
  let podSet = false;
  const podProfile = spec.securityContext?.seccompProfile;
  if (podProfile) {
    if (!valid(podProfile.type)) {
      setters.push('pod');
      values.add(podProfile.type ?? '');
    } else podSet = true;
  }
  const explicit: string[] = [];
  const implicit: string[] = [];
  for (const c of containersOf(spec)) {
    const p = c.securityContext?.seccompProfile;
    if (p) {
      if (!valid(p.type)) {
        explicit.push(c.name);
        values.add(p.type ?? '');
      }
    } else if (!podSet) implicit.push(c.name);
  }
  if (explicit.length > 0) setters.push(containersPhrase(explicit));
  return { setters, values: [...values].sort(), podSet, implicit };
}

const CHECKS: Check[] = [
  {
    id: 'appArmorProfile',
    level: 'baseline',
    run(meta, spec) {
      const bad: string[] = [];
      const okType = (t: string | undefined) => t === undefined || t === 'RuntimeDefault' || t === 'Localhost';
      if (!okType(spec.securityContext?.appArmorProfile?.type)) {
        bad.push(`pod must not set appArmorProfile.type to "${spec.securityContext?.appArmorProfile?.type}"`);
      }
      for (const c of containersOf(spec)) {
        const t = (c.securityContext as { appArmorProfile?: { type?: string } } | undefined)?.appArmorProfile?.type;
        if (!okType(t)) bad.push(`container "${c.name}" must not set appArmorProfile.type to "${t}"`);
      }
      for (const [k, v] of Object.entries(meta?.annotations ?? {})) {
        if (!k.startsWith('container.apparmor.security.beta.kubernetes.io/')) continue;
        if (v !== 'runtime/default' && !v.startsWith('localhost/')) bad.push(`${k}=${JSON.stringify(v)}`);
      }
      if (bad.length === 0) return undefined;
      return violation(`forbidden AppArmor ${pluralize('profile', 'profiles', bad.length)}`, bad.join(', '));
    },
  },
  {
    id: 'capabilities_baseline',
    level: 'baseline',
    run(_meta, spec) {
      const containers: string[] = [];
      const caps = new Set<string>();
      for (const c of containersOf(spec)) {
        const bad = (c.securityContext?.capabilities?.add ?? []).filter((cap) => !BASELINE_CAPABILITIES.has(cap));
        if (bad.length > 0) {
          containers.push(c.name);
          bad.forEach((b) => caps.add(b));
        }
      }
      if (containers.length === 0) return undefined;
      return violation(
        'non-default capabilities',
        `${containersPhrase(containers)} must not include ${joinQuote([...caps].sort())} in securityContext.capabilities.add`,
      );
    },
  },
  {
    id: 'hostNamespaces',
    level: 'baseline',
    run(_meta, spec) {
      const bad: string[] = [];
      if (spec.hostNetwork) bad.push('hostNetwork=true');
      if (spec.hostPID) bad.push('hostPID=true');
      if (spec.hostIPC) bad.push('hostIPC=true');
      return bad.length ? violation('host namespaces', bad.join(', ')) : undefined;
    },
  },
  {
    id: 'hostPathVolumes',
    level: 'baseline',
    run(_meta, spec) {
      const names = (spec.volumes ?? []).filter((v) => v.hostPath).map((v) => v.name);
      return names.length
        ? violation('hostPath volumes', `${pluralize('volume', 'volumes', names.length)} ${joinQuote(names)}`)
        : undefined;
    },
  },
  {
    id: 'hostPorts',
    level: 'baseline',
    run(_meta, spec) {
      const containers: string[] = [];
      const ports: string[] = [];
      for (const c of containersOf(spec)) {
        const bad = (c.ports ?? []).filter((p) => (p.hostPort ?? 0) !== 0);
        if (bad.length) {
          containers.push(c.name);
          bad.forEach((p) => ports.push(String(p.hostPort)));
        }
      }
      if (!containers.length) return undefined;
      return violation(
        'hostPort',
        `${containersPhrase(containers)} ${pluralize('uses', 'use', containers.length)} ${pluralize('hostPort', 'hostPorts', ports.length)} ${ports.join(', ')}`,
      );
    },
  },
  {
    id: 'privileged',
    level: 'baseline',
    run(_meta, spec) {
      const names = containersOf(spec)
        .filter((c) => c.securityContext?.privileged === true)
        .map((c) => c.name);
      return names.length
        ? violation('privileged', `${containersPhrase(names)} must not set securityContext.privileged=true`)
        : undefined;
    },
  },
  {
    id: 'procMount',
    level: 'baseline',
    run(_meta, spec) {
      const names: string[] = [];
      const values = new Set<string>();
      for (const c of containersOf(spec)) {
        const pm = c.securityContext?.procMount;
        if (pm !== undefined && pm !== 'Default') {
          names.push(c.name);
          values.add(pm);
        }
      }
      if (!names.length) return undefined;
      return violation(
        'procMount',
        `${containersPhrase(names)} must not set securityContext.procMount to ${joinQuote([...values].sort())}`,
      );
    },
  },
  {
    id: 'seLinuxOptions',
    level: 'baseline',
    run(_meta, spec) {
      const setters: string[] = [];
      const types = new Set<string>();
      let user = false;
      let role = false;
      const inspect = (o: { type?: string; user?: string; role?: string } | undefined): boolean => {
        if (!o) return false;
        let bad = false;
        if (!SELINUX_TYPES.has(o.type ?? '')) {
          types.add(o.type!);
          bad = true;
        }
        if (o.user) user = bad = true;
        if (o.role) role = bad = true;
        return bad;
      };
      if (inspect(spec.securityContext?.seLinuxOptions)) setters.push('pod');
      const names = containersOf(spec)
        .filter((c) => inspect(c.securityContext?.seLinuxOptions))
        .map((c) => c.name);
      if (names.length) setters.push(containersPhrase(names));
      if (!setters.length) return undefined;
      const data: string[] = [];
      if (types.size) data.push(`${pluralize('type', 'types', types.size)} ${joinQuote([...types].sort())}`);
      if (user) data.push('user may not be set');
      if (role) data.push('role may not be set');
      return violation(
        'seLinuxOptions',
        `${setters.join(' and ')} set forbidden securityContext.seLinuxOptions: ${data.join('; ')}`,
      );
    },
  },
  {
    id: 'seccompProfile_baseline',
    level: 'baseline',
    run(_meta, spec) {
      const { setters, values } = badSeccompSetters(spec, (t) => t !== 'Unconfined');
      if (!setters.length) return undefined;
      return violation(
        'seccompProfile',
        `${setters.join(' and ')} must not set securityContext.seccompProfile.type to ${joinQuote(values)}`,
      );
    },
  },
  {
    id: 'sysctls',
    level: 'baseline',
    run(_meta, spec) {
      const bad = (spec.securityContext?.sysctls ?? []).map((s) => s.name).filter((n) => !SAFE_SYSCTLS.has(n));
      return bad.length ? violation('forbidden sysctls', bad.join(', ')) : undefined;
    },
  },
  {
    id: 'windowsHostProcess',
    level: 'baseline',
    run(_meta, spec) {
      const setters: string[] = [];
      if (spec.securityContext?.windowsOptions?.hostProcess) setters.push('pod');
      const names = containersOf(spec)
        .filter((c) => c.securityContext?.windowsOptions?.hostProcess)
        .map((c) => c.name);
      if (names.length) setters.push(containersPhrase(names));
      if (!setters.length) return undefined;
      return violation(
        'hostProcess',
        `${setters.join(' and ')} must not set securityContext.windowsOptions.hostProcess=true`,
      );
    },
  },
  {
    id: 'allowPrivilegeEscalation',
    level: 'restricted',
    run(_meta, spec) {
      const names = containersOf(spec)
        .filter((c) => c.securityContext?.allowPrivilegeEscalation !== false)
        .map((c) => c.name);
      if (!names.length) return undefined;
      return violation(
        'allowPrivilegeEscalation != false',
        `${containersPhrase(names)} must set securityContext.allowPrivilegeEscalation=false`,
      );
    },
  },
  {
    id: 'capabilities_restricted',
    level: 'restricted',
    overrides: ['capabilities_baseline'],
    run(_meta, spec) {
      const missingDrop: string[] = [];
      const adding: string[] = [];
      const caps = new Set<string>();
      for (const c of containersOf(spec)) {
        const cc = c.securityContext?.capabilities;
        if (!(cc?.drop ?? []).includes('ALL')) missingDrop.push(c.name);
        const bad = (cc?.add ?? []).filter((cap) => cap !== 'NET_BIND_SERVICE');
        if (bad.length) {
          adding.push(c.name);
          bad.forEach((b) => caps.add(b));
        }
      }
      const details: string[] = [];
      if (missingDrop.length)
        details.push(`${containersPhrase(missingDrop)} must set securityContext.capabilities.drop=["ALL"]`);
      if (adding.length) {
        details.push(
          `${containersPhrase(adding)} must not include ${joinQuote([...caps].sort())} in securityContext.capabilities.add`,
        );
      }
      return details.length ? violation('unrestricted capabilities', details.join('; ')) : undefined;
    },
  },
  {
    id: 'restrictedVolumes',
    level: 'restricted',
    overrides: ['hostPathVolumes'],
    run(_meta, spec) {
      const names: string[] = [];
      const types = new Set<string>();
      for (const v of spec.volumes ?? []) {
        const t = volumeType(v as unknown as Record<string, unknown>);
        if (!RESTRICTED_VOLUME_TYPES.has(t)) {
          names.push(v.name);
          types.add(t);
        }
      }
      if (!names.length) return undefined;
      return violation(
        'restricted volume types',
        `${pluralize('volume', 'volumes', names.length)} ${joinQuote(names)} ${pluralize('uses', 'use', names.length)} ${pluralize('restricted volume type', 'restricted volume types', types.size)} ${joinQuote([...types].sort())}`,
      );
    },
  },
  {
    id: 'runAsNonRoot',
    level: 'restricted',
    run(_meta, spec) {
      const details: string[] = [];
      const podValue = spec.securityContext?.runAsNonRoot;
      if (podValue === false) details.push('pod must not set securityContext.runAsNonRoot=false');
      const explicit: string[] = [];
      const implicit: string[] = [];
      for (const c of containersOf(spec)) {
        const v = c.securityContext?.runAsNonRoot;
        if (v === false) explicit.push(c.name);
        else if (v === undefined && podValue !== true) implicit.push(c.name);
      }
      if (explicit.length)
        details.push(`${containersPhrase(explicit)} must not set securityContext.runAsNonRoot=false`);
      if (implicit.length)
        details.push(`pod or ${containersPhrase(implicit)} must set securityContext.runAsNonRoot=true`);
      return details.length ? violation('runAsNonRoot != true', details.join('; ')) : undefined;
    },
  },
  {
    id: 'runAsUser',
    level: 'restricted',
    run(_meta, spec) {
      const setters: string[] = [];
      if (spec.securityContext?.runAsUser === 0) setters.push('pod');
      const names = containersOf(spec)
        .filter((c) => c.securityContext?.runAsUser === 0)
        .map((c) => c.name);
      if (names.length) setters.push(containersPhrase(names));
      return setters.length ? violation('runAsUser=0', `${setters.join(' and ')} must not set runAsUser=0`) : undefined;
    },
  },
  {
    id: 'seccompProfile_restricted',
    level: 'restricted',
    overrides: ['seccompProfile_baseline'],
    run(_meta, spec) {
      const { setters, values, implicit } = badSeccompSetters(spec, (t) => t === 'RuntimeDefault' || t === 'Localhost');
      if (setters.length) {
        return violation(
          'seccompProfile',
          `${setters.join(' and ')} must not set securityContext.seccompProfile.type to ${joinQuote(values)}`,
        );
      }
      if (implicit.length) {
        return violation(
          'seccompProfile',
          `pod or ${containersPhrase(implicit)} must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost"`,
        );
      }
      return undefined;
    },
  },
];

function checksFor(level: PodSecurityLevel): Check[] {
  if (level === 'privileged') return [];
  const baseline = CHECKS.filter((c) => c.level === 'baseline');
  if (level === 'baseline') return baseline;
  const restricted = CHECKS.filter((c) => c.level === 'restricted');
  const overridden = new Set(restricted.flatMap((c) => c.overrides ?? []));
  return [...baseline.filter((c) => !overridden.has(c.id)), ...restricted];
}

type PodLike = V1Pod | { metadata?: V1ObjectMeta; spec?: V1PodSpec } | V1PodSpec;

function split(pod: PodLike): { meta?: V1ObjectMeta; spec: V1PodSpec } {
  if ('containers' in pod && Array.isArray((pod as V1PodSpec).containers)) return { spec: pod as V1PodSpec };
  const p = pod as { metadata?: V1ObjectMeta; spec?: V1PodSpec };
  return { meta: p.metadata, spec: p.spec ?? { containers: [] } };
}

/** The violations of `level` (baseline or restricted), each `reason (detail)`; empty when allowed. */
export function podSecurityViolations(level: PodSecurityLevel, pod: PodLike): string[] {
  const { meta, spec } = split(pod);
  return checksFor(level)
    .map((c) => c.run(meta, spec))
    .filter((v): v is string => v !== undefined);
}

/** The Pod Security Standards "restricted" violations of a pod or pod spec; empty when it is admitted. */
export function restrictedViolations(pod: PodLike): string[] {
  return podSecurityViolations('restricted', pod);
}
