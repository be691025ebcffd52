import { describe, expect, it } from '@jest/globals';
import type { V1Pod } from '@kubernetes/client-node';
import { podSecurityViolations, restrictedViolations } from './pod-security-restricted.check.js';

/** The contract's sandbox pod: passes restricted. Each case below breaks one rule. */
function compliant(): V1Pod {
  return {
    metadata: { name: 'sandbox-abc' },
    spec: {
      securityContext: {
        runAsNonRoot: true,
        runAsUser: 1000,
        runAsGroup: 1000,
        fsGroup: 1000,
        seccompProfile: { type: 'RuntimeDefault' },
      },
      containers: [
        {
          name: 'sandbox',
          image: 'sandboxed/base:local',
          securityContext: {
            runAsNonRoot: true,
            runAsUser: 1000,
            allowPrivilegeEscalation: false,
            privileged: false,
            capabilities: { drop: ['ALL'] },
            readOnlyRootFilesystem: true,
            seccompProfile: { type: 'RuntimeDefault' },
          },
        },
      ],
      volumes: [{ name: 'workspace', emptyDir: { sizeLimit: '1Gi' } }],
    },
  };
}

function breaking(mutate: (p: V1Pod) => void): string[] {
  const p = compliant();
  mutate(p);
  return restrictedViolations(p);
}

const sc = (p: V1Pod) => p.spec!.containers[0]!.securityContext!;

describe('restrictedViolations', () => {
  it('admits the hardened sandbox pod, a bare pod spec, and NET_BIND_SERVICE', () => {
    expect(restrictedViolations(compliant())).toEqual([]);
    expect(restrictedViolations(compliant().spec!)).toEqual([]);
    expect(breaking((p) => (sc(p).capabilities!.add = ['NET_BIND_SERVICE']))).toEqual([]);
  });

  it('seccomp and runAsNonRoot may come from the pod or from every container', () => {
    expect(
      breaking((p) => {
        delete sc(p).seccompProfile;
        delete sc(p).runAsNonRoot;
      }),
    ).toEqual([]);
    expect(
      breaking((p) => {
        delete p.spec!.securityContext!.seccompProfile;
        delete p.spec!.securityContext!.runAsNonRoot;
      }),
    ).toEqual([]);
  });

  it('allowPrivilegeEscalation must be false', () => {
    expect(breaking((p) => delete sc(p).allowPrivilegeEscalation)).toEqual([
      'allowPrivilegeEscalation != false (container "sandbox" must set securityContext.allowPrivilegeEscalation=false)',
    ]);
  });

  it('capabilities must drop ALL and add nothing but NET_BIND_SERVICE', () => {
    expect(breaking((p) => delete sc(p).capabilities)).toEqual([
      'unrestricted capabilities (container "sandbox" must set securityContext.capabilities.drop=["ALL"])',
    ]);
    expect(breaking((p) => (sc(p).capabilities!.add = ['SYS_ADMIN']))).toEqual([
      'unrestricted capabilities (container "sandbox" must not include "SYS_ADMIN" in securityContext.capabilities.add)',
    ]);
  });

  it('runAsNonRoot must be true on the pod or every container', () => {
    expect(
      breaking((p) => {
        delete p.spec!.securityContext!.runAsNonRoot;
        delete sc(p).runAsNonRoot;
      }),
    ).toEqual(['runAsNonRoot != true (pod or container "sandbox" must set securityContext.runAsNonRoot=true)']);
    expect(breaking((p) => (sc(p).runAsNonRoot = false))).toEqual([
      'runAsNonRoot != true (container "sandbox" must not set securityContext.runAsNonRoot=false)',
    ]);
  });

  it('runAsUser must not be 0', () => {
    expect(breaking((p) => (p.spec!.securityContext!.runAsUser = 0))).toEqual([
      'runAsUser=0 (pod must not set runAsUser=0)',
    ]);
  });

  it('seccompProfile must be RuntimeDefault or Localhost', () => {
    expect(
      breaking((p) => {
        delete p.spec!.securityContext!.seccompProfile;
        delete sc(p).seccompProfile;
      }),
    ).toEqual([
      'seccompProfile (pod or container "sandbox" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost")',
    ]);
    expect(breaking((p) => (sc(p).seccompProfile = { type: 'Unconfined' }))).toEqual([
      'seccompProfile (container "sandbox" must not set securityContext.seccompProfile.type to "Unconfined")',
    ]);
  });

  it('privileged is forbidden', () => {
    expect(breaking((p) => (sc(p).privileged = true))).toEqual([
      'privileged (container "sandbox" must not set securityContext.privileged=true)',
    ]);
  });

  it('host namespaces are forbidden', () => {
    expect(
      breaking((p) => {
        p.spec!.hostNetwork = true;
        p.spec!.hostPID = true;
        p.spec!.hostIPC = true;
      }),
    ).toEqual(['host namespaces (hostNetwork=true, hostPID=true, hostIPC=true)']);
  });

  it('hostPath and other non-restricted volume types are forbidden', () => {
    expect(breaking((p) => p.spec!.volumes!.push({ name: 'host', hostPath: { path: '/' } }))).toEqual([
      'restricted volume types (volume "host" uses restricted volume type "hostPath")',
    ]);
    expect(
      podSecurityViolations('baseline', {
        spec: { containers: [{ name: 'a' }], volumes: [{ name: 'h', hostPath: { path: '/' } }] },
      }),
    ).toEqual(['hostPath volumes (volume "h")']);
  });

  it('hostPorts are forbidden', () => {
    expect(breaking((p) => (p.spec!.containers[0]!.ports = [{ containerPort: 80, hostPort: 8080 }]))).toEqual([
      'hostPort (container "sandbox" uses hostPort 8080)',
    ]);
  });

  it('AppArmor must not be unconfined (field or annotation)', () => {
    expect(breaking((p) => (p.spec!.securityContext!.appArmorProfile = { type: 'Unconfined' }))).toEqual([
      'forbidden AppArmor profile (pod must not set appArmorProfile.type to "Unconfined")',
    ]);
    expect(
      breaking(
        (p) => (p.metadata!.annotations = { 'container.apparmor.security.beta.kubernetes.io/sandbox': 'unconfined' }),
      ),
    ).toEqual(['forbidden AppArmor profile (container.apparmor.security.beta.kubernetes.io/sandbox="unconfined")']);
  });

  it('SELinux options may not set a custom type, user or role', () => {
    expect(breaking((p) => (sc(p).seLinuxOptions = { type: 'spc_t', user: 'root' }))).toEqual([
      'seLinuxOptions (container "sandbox" set forbidden securityContext.seLinuxOptions: type "spc_t"; user may not be set)',
    ]);
    expect(breaking((p) => (sc(p).seLinuxOptions = { type: 'container_t' }))).toEqual([]);
  });

  it('the /proc mount must be Default', () => {
    expect(breaking((p) => (sc(p).procMount = 'Unmasked'))).toEqual([
      'procMount (container "sandbox" must not set securityContext.procMount to "Unmasked")',
    ]);
  });

  it('only safe sysctls are allowed', () => {
    expect(
      breaking(
        (p) =>
          (p.spec!.securityContext!.sysctls = [
            { name: 'kernel.msgmax', value: '1' },
            { name: 'net.ipv4.tcp_syncookies', value: '1' },
          ]),
      ),
    ).toEqual(['forbidden sysctls (kernel.msgmax)']);
  });

  it('lists every violation in the admission plugin order, plural forms for several containers', () => {
    const v = breaking((p) => {
      p.spec!.hostNetwork = true;
      p.spec!.securityContext = {};
      p.spec!.containers = [
        { name: 'a', image: 'x', securityContext: { privileged: true } },
        { name: 'b', image: 'x' },
      ];
    });
    expect(v).toEqual([
      'host namespaces (hostNetwork=true)',
      'privileged (container "a" must not set securityContext.privileged=true)',
      'allowPrivilegeEscalation != false (containers "a", "b" must set securityContext.allowPrivilegeEscalation=false)',
      'unrestricted capabilities (containers "a", "b" must set securityContext.capabilities.drop=["ALL"])',
      'runAsNonRoot != true (pod or containers "a", "b" must set securityContext.runAsNonRoot=true)',
      'seccompProfile (pod or containers "a", "b" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost")',
    ]);
  });
});
