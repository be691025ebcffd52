import { describe, expect, it } from '@jest/globals';
import { restrictedViolations, sandboxSpec } from '@sandboxed/testing';
import { resolveKubernetesRuntimeOptions } from './kubernetes-runtime-options.dto.js';
import { decodePod, podName } from './pod-labels.codec.js';
import { AGENT_INIT_CONTAINER, AGENT_MOUNT, AGENT_VOLUME, buildPod, PREINSTALLED_AGENT } from './pod-spec.builder.js';

const options = resolveKubernetesRuntimeOptions({ runtimeClassName: 'gvisor' });
const now = new Date('2026-12-02T00:00:00Z');

function pod(overrides: Parameters<typeof sandboxSpec>[1] = {}) {
  const spec = sandboxSpec('alice@example.com', {
    expiresAt: new Date(now.getTime() + 3600_000),
    template: 'base',
    resources: { cpu: 0.5, memoryMb: 256, diskMb: 100 },
    ...overrides,
  });
  return { spec, pod: buildPod(spec, options.templates[spec.template]!, options, now) };
}

describe('buildPod', () => {
  it('hardens every pod the same way, whatever the request says', () => {
    const { pod: p } = pod({ env: { FOO: 'bar' } });
    const c = p.spec!.containers[0]!;
    expect(p.spec).toMatchObject({
      automountServiceAccountToken: false,
      enableServiceLinks: false,
      runtimeClassName: 'gvisor',
      securityContext: { runAsNonRoot: true, runAsUser: 1000, seccompProfile: { type: 'RuntimeDefault' } },
    });
    expect(p.spec!.hostNetwork ?? false).toBe(false);
    expect(p.spec!.serviceAccountName).toBeUndefined();
    expect(c.securityContext).toEqual({
      runAsNonRoot: true,
      runAsUser: 1000,
      runAsGroup: 1000,
      allowPrivilegeEscalation: false,
      privileged: false,
      capabilities: { drop: ['ALL'] },
      readOnlyRootFilesystem: true,
      seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(c.command).toEqual(['/usr/bin/tini', '-s', '--', 'sleep', 'infinity']);
    expect(c.env).toContainEqual({ name: 'FOO', value: 'bar' });
    expect(p.spec!.volumes!.every((v) => v.emptyDir && Object.keys(v).length === 2)).toBe(true);
    expect(c.volumeMounts!.map((m) => m.mountPath)).toEqual(['/workspace', '/tmp', '/var/tmp']);
  });

  it('passes the Pod Security Standards restricted profile, for every template and with a writable root', () => {
    for (const template of Object.keys(options.templates)) {
      expect(restrictedViolations(pod({ template }).pod)).toEqual([]);
    }
    const writable = resolveKubernetesRuntimeOptions({
      templates: { w: { image: 'x', readOnlyRootFilesystem: false } },
    });
    const spec = sandboxSpec('o', { template: 'w' });
    expect(restrictedViolations(buildPod(spec, writable.templates.w!, writable, now))).toEqual([]);
  });

  it('would fail the restricted check if a hardening field were dropped (the check bites)', () => {
    const { pod: p } = pod();
    delete p.spec!.containers[0]!.securityContext!.allowPrivilegeEscalation;
    delete p.spec!.securityContext!.seccompProfile;
    delete p.spec!.containers[0]!.securityContext!.seccompProfile;
    expect(restrictedViolations(p).join('\n')).toMatch(/allowPrivilegeEscalation[\s\S]*seccompProfile/);
  });

  it('caps CPU, memory and ephemeral storage, and bounds the pod by its TTL', () => {
    const { pod: p } = pod();
    const limits = { cpu: '500m', memory: '256Mi', 'ephemeral-storage': '364Mi' };
    expect(p.spec!.containers[0]!.resources).toEqual({ requests: limits, limits });
    expect(p.spec!.volumes!.map((v) => v.emptyDir!.sizeLimit)).toEqual(['100Mi', '100Mi', '100Mi']);
    expect(p.spec!.activeDeadlineSeconds).toBe(3600 + 300);
  });

  it('keeps the exact id and owner in annotations, and label-safe keys in labels', () => {
    const { spec, pod: p } = pod({ id: 'Mixed_Case-id', labels: { team: 'a b' } });
    expect(p.metadata!.name).toBe(podName(spec.id));
    expect(p.metadata!.name).toMatch(/^sandbox-h[0-9a-f]{40}$/);
    for (const v of Object.values(p.metadata!.labels!))
      expect(v).toMatch(/^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/);
    expect(decodePod(p)).toMatchObject({ id: 'Mixed_Case-id', owner: 'alice@example.com', labels: { team: 'a b' } });
  });

  it('adds no init container or agent volume without agentImage', () => {
    const { pod: p } = pod();
    expect(p.spec!.initContainers).toBeUndefined();
    expect(p.spec!.volumes!.map((v) => v.name)).toEqual(['workspace', 'tmp', 'var-tmp']);
  });

  describe('with agentImage', () => {
    const withAgent = resolveKubernetesRuntimeOptions({ agentImage: 'registry.example.com/sandboxed/agent:abc' });
    const build = (overrides: Parameters<typeof sandboxSpec>[1] = {}, options = withAgent) => {
      const spec = sandboxSpec('alice@example.com', {
        expiresAt: new Date(now.getTime() + 3600_000),
        template: 'base',
        resources: { cpu: 0.5, memoryMb: 256, diskMb: 100 },
        ...overrides,
      });
      return buildPod(spec, options.templates[spec.template]!, options, now);
    };

    it('installs the agent from an init container, as hardened and limited as the sandbox container', () => {
      const p = build();
      const [init, ...more] = p.spec!.initContainers!;
      const sandbox = p.spec!.containers[0]!;
      expect(more).toEqual([]);
      expect(init).toEqual({
        name: AGENT_INIT_CONTAINER,
        image: 'registry.example.com/sandboxed/agent:abc',
        imagePullPolicy: 'IfNotPresent',
        command: ['/sandbox-agent', '--install', '/opt/sandboxed-agent/sandbox-agent'],
        securityContext: sandbox.securityContext,
        resources: sandbox.resources,
        volumeMounts: [{ name: AGENT_VOLUME, mountPath: AGENT_MOUNT }],
      });
      expect(init!.securityContext).toMatchObject({
        runAsNonRoot: true,
        runAsUser: 1000,
        allowPrivilegeEscalation: false,
        privileged: false,
        capabilities: { drop: ['ALL'] },
        readOnlyRootFilesystem: true,
      });
      // The agent's bytes sit on the pod's ephemeral storage: the limit makes room for its volume.
      expect(sandbox.resources!.limits!['ephemeral-storage']).toBe('372Mi');
      expect(restrictedViolations(p)).toEqual([]);
    });

    it('mounts the agent volume read-only outside /workspace in the sandbox, a small emptyDir, never a host path', () => {
      const p = build();
      const sandbox = p.spec!.containers[0]!;
      expect(sandbox.volumeMounts!.filter((m) => m.name === AGENT_VOLUME)).toEqual([
        { name: AGENT_VOLUME, mountPath: '/opt/sandboxed-agent', readOnly: true },
      ]);
      expect(PREINSTALLED_AGENT.startsWith(`${AGENT_MOUNT}/`)).toBe(true);
      expect(AGENT_MOUNT.startsWith('/workspace')).toBe(false);
      expect(p.spec!.volumes!.find((v) => v.name === AGENT_VOLUME)).toEqual({
        name: AGENT_VOLUME,
        emptyDir: { sizeLimit: '8Mi' },
      });
      expect(p.spec!.volumes!.every((v) => Object.keys(v).sort().join() === 'emptyDir,name')).toBe(true);
      // The sandbox's command is unchanged: the gateway starts the agent through exec, as before.
      expect(sandbox.command).toEqual(['/usr/bin/tini', '-s', '--', 'sleep', 'infinity']);
    });

    it('keeps the init container read-only and fixed whatever the template or the request says', () => {
      const writable = resolveKubernetesRuntimeOptions({
        agentImage: 'r/agent:1',
        templates: { w: { image: 'x', readOnlyRootFilesystem: false } },
      });
      const hostile = build(
        {
          template: 'w',
          env: { AGENT_IMAGE: 'evil/agent:1', PATH: '/workspace/bin', LD_PRELOAD: '/workspace/x.so' },
          labels: { 'sandboxed.dev/agent-image': 'evil', initContainers: '[{"image":"evil"}]' },
        },
        writable,
      );
      const init = hostile.spec!.initContainers![0]!;
      expect(init.image).toBe('r/agent:1');
      expect(init.command).toEqual(['/sandbox-agent', '--install', PREINSTALLED_AGENT]);
      expect(init.env).toBeUndefined();
      expect(init.securityContext!.readOnlyRootFilesystem).toBe(true);
      expect(hostile.spec!.containers[0]!.securityContext!.readOnlyRootFilesystem).toBe(false);
      expect(hostile.spec!.initContainers).toHaveLength(1);
      expect(restrictedViolations(hostile)).toEqual([]);
    });
  });

  it('refuses an env name that is not an identifier, before anything reaches the API server', () => {
    expect(() => pod({ env: { 'BAD=NAME': 'x' } })).toThrow(/Invalid environment variable/);
  });
});
