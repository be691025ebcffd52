import { mkdtempSync, readFileSync, rmSync, writeFileSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from '@jest/globals';
import { parse as parseYaml } from 'yaml';
import { loadConfig, loadPlugins } from '@sandboxed/kernel';
import { restrictedViolations, sandboxSpec } from '@sandboxed/testing';
import { allowEgressPolicy, defaultDenyPolicy } from '../../plugins/runtime-kubernetes/src/network-policies.js';
import { buildPod } from '../../plugins/runtime-kubernetes/src/pod-spec.builder.js';
import { resolveKubernetesRuntimeOptions } from '../../plugins/runtime-kubernetes/src/kubernetes-runtime-options.dto.js';
import { describeWithKubectl, findKubectl, kustomize, type KubeObject } from './support/kustomize.render.js';
import { CLUSTER_SCOPED, typeOf, validateObject } from './support/kubernetes.models.js';

/**
 * Renders every kustomization in k8s/ with the real kubectl, validates each object against the Kubernetes
 * schemas (kubernetes-models), and checks what matters for security and for the runtime's contract
 * (docs/kubernetes.md, /work/notes/k8s-contract.md): RBAC scope, the hardened gateway pod, Pod Security
 * labels, the sandbox NetworkPolicies, and the config the gateway boots with.
 */

type Tree = Record<string, any>;
type PluginEntry = string | { use: string; options?: Tree };

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const SANDBOX_NS = 'sandboxed';
const SYSTEM_NS = 'sandboxed-system';
const GATEWAY = 'sandboxed-gateway';
const CONFIG_KEY = 'kubernetes.yaml';
const IN_CLUSTER_TICKET_FILE = '/var/run/secrets/sandboxed/ws-ticket-secret';

const OVERLAYS = [
  { dir: 'k8s/base', replicas: 3, pdb: 2, runtimeClassName: undefined },
  { dir: 'k8s/overlays/dev', replicas: 1, pdb: undefined, runtimeClassName: undefined },
  { dir: 'k8s/overlays/gvisor', replicas: 3, pdb: 2, runtimeClassName: 'gvisor' },
] as const;

/** The Role, exactly: one rule per resource, verbs in any order (runtime-kubernetes's calls, and its /health). */
const EXPECTED_RULES = [
  { apiGroups: [''], resources: ['namespaces'], resourceNames: [SANDBOX_NS], verbs: ['get'] },
  { apiGroups: [''], resources: ['pods'], verbs: ['create', 'delete', 'get', 'list', 'patch', 'watch'] },
  { apiGroups: [''], resources: ['pods/exec'], verbs: ['create', 'get'] },
  { apiGroups: [''], resources: ['pods/log'], verbs: ['get'] },
  { apiGroups: [''], resources: ['pods/portforward'], verbs: ['create', 'get'] },
  { apiGroups: ['networking.k8s.io'], resources: ['networkpolicies'], verbs: ['create', 'get', 'list'] },
];

const entryOf = (e: PluginEntry): { use: string; options: Tree } =>
  typeof e === 'string' ? { use: e, options: {} } : { use: e.use, options: { ...(e.options ?? {}) } };

/** The plugin list with every entry as {use, options}, and `edit` applied to the named plugins' options. */
function plugins(tree: Tree, edit: Record<string, (o: Tree) => Tree> = {}): Array<{ use: string; options: Tree }> {
  return (tree.plugins as PluginEntry[])
    .map(entryOf)
    .map((p) => ({ ...p, options: (edit[p.use] ?? ((o) => o))(p.options) }));
}

function pluginOptions(tree: Tree, use: string): Tree {
  const entry = plugins(tree).find((p) => p.use === use);
  if (!entry) throw new Error(`config has no ${use} plugin`);
  return entry.options;
}

/** What the dockerfile's final stage runs as and where: the ConfigMap must land in its config dir. */
function gatewayImage(): { workdir: string; uid: number; gid: number } {
  const text = readFileSync(join(ROOT, 'docker/gateway.Dockerfile'), 'utf8');
  const finalStage = text.slice(text.lastIndexOf('\nFROM '));
  const workdir = /^WORKDIR\s+(\S+)/m.exec(finalStage)?.[1];
  const user = /^USER\s+(\d+):(\d+)/m.exec(finalStage);
  if (!workdir || !user) throw new Error('docker/gateway.Dockerfile: final stage lacks WORKDIR or a numeric USER');
  return { workdir, uid: Number(user[1]), gid: Number(user[2]) };
}

/** Loads a profile file exactly as the gateway does, next to the repo's default.yaml. */
function loadProfile(text: string): ReturnType<typeof loadConfig> {
  const dir = mkdtempSync(join(tmpdir(), 'sbx-k8s-config-'));
  try {
    copyFileSync(join(ROOT, 'config/default.yaml'), join(dir, 'default.yaml'));
    writeFileSync(join(dir, CONFIG_KEY), text);
    return loadConfig({ configDir: dir, profile: 'kubernetes', env: {}, argv: [] });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const sortRules = (rules: Tree[]) =>
  rules
    .map((r) => ({
      apiGroups: [...r.apiGroups].sort(),
      resources: [...r.resources].sort(),
      ...(r.resourceNames ? { resourceNames: [...r.resourceNames].sort() } : {}),
      verbs: [...r.verbs].sort(),
    }))
    .sort((a, b) => `${a.apiGroups}/${a.resources}`.localeCompare(`${b.apiGroups}/${b.resources}`));

describeWithKubectl('k8s/ manifests', findKubectl(), (kubectl) => {
  const rendered = new Map<string, KubeObject[]>();

  beforeAll(async () => {
    for (const { dir } of OVERLAYS) rendered.set(dir, await kustomize(kubectl, join(ROOT, dir)));
  }, 60_000);

  const one = (dir: string, kind: string, name: string, namespace?: string): KubeObject => {
    const hits = rendered
      .get(dir)!
      .filter((o) => o.kind === kind && o.metadata.name === name && o.metadata.namespace === namespace);
    if (hits.length !== 1)
      throw new Error(`${dir}: expected one ${kind} ${namespace ?? ''}/${name}, got ${hits.length}`);
    return hits[0]!;
  };
  const deployment = (dir: string) => one(dir, 'Deployment', GATEWAY, SYSTEM_NS) as Tree;
  const gatewayContainer = (dir: string) => {
    const containers = deployment(dir).spec.template.spec.containers as Tree[];
    expect(containers.map((c) => c.name)).toEqual(['gateway']);
    return containers[0]!;
  };
  const configMapText = (dir: string): string => {
    const vol = (deployment(dir).spec.template.spec.volumes as Tree[]).find((v) => v.name === 'config')!;
    const cm = one(dir, 'ConfigMap', vol.configMap.name, SYSTEM_NS) as Tree;
    return cm.data[CONFIG_KEY] as string;
  };

  describe.each(OVERLAYS)('$dir', ({ dir, replicas, pdb, runtimeClassName }) => {
    it('renders objects that all pass the Kubernetes schemas (kubernetes-models)', () => {
      const objects = rendered.get(dir)!;
      expect(objects.length).toBeGreaterThan(10);
      for (const obj of objects) expect(() => validateObject(obj)).not.toThrow();
    });

    it('holds nothing cluster-scoped but the two namespaces (and the optional RuntimeClass), and no Secret', () => {
      const objects = rendered.get(dir)!;
      const clusterScoped = objects.filter((o) => o.metadata.namespace === undefined);
      expect(clusterScoped.every((o) => CLUSTER_SCOPED.has(typeOf(o)))).toBe(true);
      expect(clusterScoped.map((o) => `${o.kind}/${o.metadata.name}`).sort()).toEqual(
        [
          `Namespace/${SANDBOX_NS}`,
          `Namespace/${SYSTEM_NS}`,
          ...(runtimeClassName ? ['RuntimeClass/gvisor'] : []),
        ].sort(),
      );
      for (const o of objects.filter((x) => !CLUSTER_SCOPED.has(typeOf(x))))
        expect([SANDBOX_NS, SYSTEM_NS]).toContain(o.metadata.namespace);
      expect(objects.filter((o) => /^Cluster/.test(o.kind) || o.kind === 'Secret')).toEqual([]);
    });

    it('grants the ServiceAccount exactly the listed verbs, in the sandbox namespace only', () => {
      const roles = rendered.get(dir)!.filter((o) => o.kind === 'Role');
      expect(roles.map((r) => `${r.metadata.namespace}/${r.metadata.name}`)).toEqual([`${SANDBOX_NS}/${GATEWAY}`]);
      expect(sortRules((roles[0] as Tree).rules)).toEqual(EXPECTED_RULES);

      const bindings = rendered.get(dir)!.filter((o) => o.kind === 'RoleBinding') as Tree[];
      expect(bindings).toHaveLength(1);
      expect(bindings[0]!.metadata.namespace).toBe(SANDBOX_NS);
      expect(bindings[0]!.roleRef).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: GATEWAY });
      expect(bindings[0]!.subjects).toEqual([{ kind: 'ServiceAccount', name: GATEWAY, namespace: SYSTEM_NS }]);

      one(dir, 'ServiceAccount', GATEWAY, SYSTEM_NS);
      const pod = deployment(dir).spec.template.spec;
      expect(pod.serviceAccountName).toBe(GATEWAY);
      expect(pod.automountServiceAccountToken).toBe(true);
    });

    it('labels both namespaces for Pod Security "restricted" (enforce, audit, warn)', () => {
      for (const name of [SANDBOX_NS, SYSTEM_NS]) {
        expect(one(dir, 'Namespace', name).metadata.labels).toMatchObject({
          'pod-security.kubernetes.io/enforce': 'restricted',
          'pod-security.kubernetes.io/enforce-version': 'latest',
          'pod-security.kubernetes.io/audit': 'restricted',
          'pod-security.kubernetes.io/warn': 'restricted',
        });
      }
    });

    it(`runs ${replicas} gateway replica(s), hardened, probed on /health, as the gateway image expects`, () => {
      const d = deployment(dir);
      const image = gatewayImage();
      expect(d.spec.replicas).toBe(replicas);
      const pod = d.spec.template.spec;
      const c = gatewayContainer(dir);
      expect(c.image).toBe('sandboxed/gateway:local');
      expect(c.imagePullPolicy).toBe('IfNotPresent');

      expect(pod.securityContext).toMatchObject({
        runAsNonRoot: true,
        runAsUser: image.uid,
        runAsGroup: image.gid,
        seccompProfile: { type: 'RuntimeDefault' },
      });
      expect(c.securityContext).toMatchObject({
        runAsNonRoot: true,
        allowPrivilegeEscalation: false,
        readOnlyRootFilesystem: true,
        capabilities: { drop: ['ALL'] },
        seccompProfile: { type: 'RuntimeDefault' },
      });
      expect(c.securityContext.capabilities.add).toBeUndefined();
      expect(pod.hostNetwork ?? false).toBe(false);

      const http = (c.ports as Tree[]).find((p) => p.name === 'http')!;
      expect(http.containerPort).toBe(8080);
      for (const probe of ['readinessProbe', 'livenessProbe', 'startupProbe']) {
        expect(c[probe].httpGet.path).toBe('/health');
        expect([8080, 'http']).toContain(c[probe].httpGet.port);
      }
      for (const kind of ['requests', 'limits']) {
        expect(c.resources[kind]).toHaveProperty('cpu');
        expect(c.resources[kind]).toHaveProperty('memory');
      }

      const env = new Map((c.env as Tree[]).map((e) => [e.name, e]));
      expect(env.get('SANDBOXED_PROFILE')?.value).toBe('kubernetes');
      expect(env.get('SANDBOXED_SERVER__HOST')?.value).toBe('0.0.0.0');
      expect(env.get('SANDBOXED_AUTH__JWT__SECRET')?.valueFrom).toEqual({
        secretKeyRef: { name: GATEWAY, key: 'jwt-secret' },
      });

      // The read-only root gets a writable /tmp; the profile is mounted where the loader looks for it.
      const volumes = new Map((pod.volumes as Tree[]).map((v) => [v.name, v]));
      const mounts = new Map((c.volumeMounts as Tree[]).map((m) => [m.mountPath, m]));
      expect(volumes.get(mounts.get('/tmp')!.name)!.emptyDir).toBeDefined();
      const configMount = mounts.get(`${image.workdir}/config/${CONFIG_KEY}`)!;
      expect(configMount).toMatchObject({ subPath: CONFIG_KEY, readOnly: true });
      expect(volumes.get(configMount.name)!.configMap.name).toMatch(/^sandboxed-gateway-config-[a-z0-9]+$/);

      // transport-ws reads its ticket key from the Secret, so every replica accepts another's tickets.
      const ticketFile = pluginOptions(parseYaml(configMapText(dir)) as Tree, 'transport-ws').ticketSecretFile;
      expect(ticketFile).toBe(IN_CLUSTER_TICKET_FILE);
      const secretMount = [...mounts.values()].find((m) => ticketFile.startsWith(`${m.mountPath}/`))!;
      const secretVolume = volumes.get(secretMount.name)!.secret;
      expect(secretVolume.secretName).toBe(GATEWAY);
      expect(secretVolume.items).toContainEqual({
        key: 'ws-ticket-secret',
        path: ticketFile.slice(secretMount.mountPath.length + 1),
      });
    });

    it('gives the gateway pod template no Pod Security "restricted" violation', () => {
      const { metadata, spec } = deployment(dir).spec.template;
      expect(restrictedViolations({ apiVersion: 'v1', kind: 'Pod', metadata, spec })).toEqual([]);
    });

    it('serves the gateway on a ClusterIP Service, port 80 → 8080, and budgets disruptions', () => {
      const svc = one(dir, 'Service', GATEWAY, SYSTEM_NS) as Tree;
      const podLabels = deployment(dir).spec.template.metadata.labels;
      expect(svc.spec.type).toBe('ClusterIP');
      expect(podLabels).toMatchObject(svc.spec.selector);
      expect(svc.spec.ports).toEqual([{ name: 'http', protocol: 'TCP', port: 80, targetPort: 'http' }]);

      const budgets = rendered.get(dir)!.filter((o) => o.kind === 'PodDisruptionBudget') as Tree[];
      if (pdb === undefined) {
        expect(budgets).toEqual([]);
      } else {
        expect(budgets).toHaveLength(1);
        expect(budgets[0]!.spec.minAvailable).toBe(pdb);
        expect(podLabels).toMatchObject(budgets[0]!.spec.selector.matchLabels);
      }
    });

    it("ships the runtime's own default-deny and egress policies for sandbox pods", () => {
      const deny = one(dir, 'NetworkPolicy', 'sandboxed-default-deny', SANDBOX_NS) as Tree;
      expect(deny.spec).toEqual({
        podSelector: { matchLabels: { 'app.kubernetes.io/managed-by': 'sandboxed' } },
        policyTypes: ['Ingress', 'Egress'],
      });
      expect(deny.spec).toEqual(defaultDenyPolicy(SANDBOX_NS).spec);

      const egress = one(dir, 'NetworkPolicy', 'sandboxed-allow-egress', SANDBOX_NS) as Tree;
      expect(egress.spec).toEqual(allowEgressPolicy(SANDBOX_NS).spec);
      expect(egress.spec.podSelector.matchLabels['sandboxed.dev/egress']).toBe('true');
      expect(egress.spec.policyTypes).toEqual(['Egress']);
      const [dns, internet] = egress.spec.egress as Tree[];
      expect(dns!.to).toEqual([
        {
          namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } },
          podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } },
        },
      ]);
      expect(dns!.ports).toEqual([
        { protocol: 'UDP', port: 53 },
        { protocol: 'TCP', port: 53 },
      ]);
      expect(internet!.to[0].ipBlock.cidr).toBe('0.0.0.0/0');
      expect(internet!.to[0].ipBlock.except).toEqual(
        expect.arrayContaining(['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '169.254.0.0/16', '100.64.0.0/10']),
      );
    });

    it('lets the gateway take HTTP on 8080 and reach DNS and the API server, never sandbox pods', () => {
      const policy = one(dir, 'NetworkPolicy', GATEWAY, SYSTEM_NS) as Tree;
      expect(deployment(dir).spec.template.metadata.labels).toMatchObject(policy.spec.podSelector.matchLabels);
      expect(policy.spec.policyTypes).toEqual(['Ingress', 'Egress']);
      expect(policy.spec.ingress).toEqual([
        { from: [{ namespaceSelector: {} }], ports: [{ protocol: 'TCP', port: 8080 }] },
      ]);
      const peers = (policy.spec.egress as Tree[]).flatMap((r) => r.to ?? []);
      expect(JSON.stringify(peers)).not.toContain(SANDBOX_NS + '"');
      expect((policy.spec.egress as Tree[]).every((r) => (r.ports ?? []).length > 0)).toBe(true);
    });

    it('mounts a config the gateway boots with: runtime kubernetes, every plugin option valid', async () => {
      const config = loadProfile(configMapText(dir));
      expect(config.runtime.default).toBe('kubernetes');
      const options = pluginOptions(config as unknown as Tree, 'runtime-kubernetes');
      expect(options.kubeconfig).toBe('in-cluster');
      expect(options.namespace ?? SANDBOX_NS).toBe(SANDBOX_NS);
      expect(options.runtimeClassName).toBe(runtimeClassName);
      expect(options.networkPolicy ?? 'manage').toBe('manage');
      // The plugin loader validates each plugin's options against its DTO (unknown keys refused) and runs
      // its module factory; transport-ws reads the ticket key then, so it gets a stand-in for the Secret.
      const secretDir = mkdtempSync(join(tmpdir(), 'sbx-k8s-secret-'));
      try {
        const ticketFile = join(secretDir, 'ws-ticket-secret');
        writeFileSync(ticketFile, `${'k'.repeat(64)}\n`);
        const entries = config.plugins.map((p) =>
          p.use === 'transport-ws' ? { ...p, options: { ...p.options, ticketSecretFile: ticketFile } } : p,
        );
        await expect(loadPlugins(entries)).resolves.toHaveLength(entries.length);
      } finally {
        rmSync(secretDir, { recursive: true, force: true });
      }
    });

    it('makes sandbox pods from that config that pass the schema and "restricted"', () => {
      const options = resolveKubernetesRuntimeOptions(
        pluginOptions(parseYaml(configMapText(dir)) as Tree, 'runtime-kubernetes'),
      );
      for (const [name, template] of Object.entries(options.templates)) {
        const pod = buildPod(sandboxSpec('alice', { template: name }), template, options, new Date()) as KubeObject;
        expect(() => validateObject(pod)).not.toThrow();
        expect(restrictedViolations(pod)).toEqual([]);
        expect((pod as Tree).metadata.namespace).toBe(SANDBOX_NS);
        expect((pod as Tree).spec.runtimeClassName).toBe(runtimeClassName);
      }
    });
  });

  it('ships the RuntimeClass gvisor with the runsc handler in the gvisor overlay only', () => {
    expect(one('k8s/overlays/gvisor', 'RuntimeClass', 'gvisor')).toMatchObject({ handler: 'runsc' });
    expect(rendered.get('k8s/base')!.filter((o) => o.kind === 'RuntimeClass')).toEqual([]);
  });

  it('keeps the in-cluster profile equal to config/kubernetes.yaml but for the in-cluster keys', () => {
    const profile = parseYaml(readFileSync(join(ROOT, 'config/kubernetes.yaml'), 'utf8')) as Tree;
    const base = parseYaml(configMapText('k8s/base')) as Tree;
    const expected = {
      ...profile,
      plugins: plugins(profile, {
        'runtime-kubernetes': (o) => ({ ...o, kubeconfig: 'in-cluster' }),
        'transport-ws': (o) => ({ ...o, ticketSecretFile: IN_CLUSTER_TICKET_FILE }),
      }),
    };
    expect({ ...base, plugins: plugins(base) }).toEqual(expected);
    expect(configMapText('k8s/overlays/dev')).toBe(configMapText('k8s/base'));

    const gvisor = parseYaml(configMapText('k8s/overlays/gvisor')) as Tree;
    expect({ ...gvisor, plugins: plugins(gvisor) }).toEqual({
      ...base,
      plugins: plugins(base, { 'runtime-kubernetes': (o) => ({ ...o, runtimeClassName: 'gvisor' }) }),
    });
  });

  describe('the checks bite', () => {
    it('kubernetes-models refuses a Deployment with replicas: "three"', () => {
      const broken = structuredClone(deployment('k8s/base')) as Tree;
      broken.spec.replicas = 'three';
      expect(() => validateObject(broken as KubeObject)).toThrow(/replicas/);
    });

    it('kubernetes-models refuses a NetworkPolicy whose policyTypes is not a list', () => {
      const broken = structuredClone(one('k8s/base', 'NetworkPolicy', 'sandboxed-default-deny', SANDBOX_NS)) as Tree;
      broken.spec.policyTypes = 'Ingress';
      expect(() => validateObject(broken as KubeObject)).toThrow(/policyTypes/);
    });

    it('an unknown kind is refused, not waved through', () => {
      expect(() => validateObject({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'x' } })).toThrow(
        /no kubernetes-models class/,
      );
    });

    it('the restricted check refuses the gateway pod with privilege escalation allowed', () => {
      const { metadata, spec } = structuredClone(deployment('k8s/base').spec.template) as Tree;
      spec.containers[0].securityContext.allowPrivilegeEscalation = true;
      expect(restrictedViolations({ apiVersion: 'v1', kind: 'Pod', metadata, spec })).not.toEqual([]);
    });
  });
});
