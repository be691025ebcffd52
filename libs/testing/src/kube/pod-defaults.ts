import { randomBytes, randomUUID } from 'node:crypto';
import type { V1Container, V1Pod } from '@kubernetes/client-node';
import { parseQuantity } from './kube-quantity.js';

/** RFC 3339 at second precision, the way metav1.Time is written. */
export function kubeTime(d: Date = new Date()): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** `generateName` + five characters from the API server's alphabet (no vowels, no 0/1/3). */
export function generatedName(prefix: string): string {
  const alphabet = 'bcdfghjklmnpqrstvwxz2456789';
  const bytes = randomBytes(5);
  return prefix + [...bytes].map((b) => alphabet[b % alphabet.length]).join('');
}

function defaultPullPolicy(image: string | undefined): string {
  const ref = (image ?? '').split('@')[0]!;
  const lastSlash = ref.lastIndexOf('/');
  const colon = ref.lastIndexOf(':');
  const tag = colon > lastSlash ? ref.slice(colon + 1) : '';
  return image?.includes('@') ? 'IfNotPresent' : tag === '' || tag === 'latest' ? 'Always' : 'IfNotPresent';
}

function defaultContainer(c: V1Container): void {
  c.terminationMessagePath ??= '/dev/termination-log';
  c.terminationMessagePolicy ??= 'File';
  c.imagePullPolicy ??= defaultPullPolicy(c.image);
  c.resources ??= {};
  // Requests default to limits when only limits are given.
  if (c.resources.limits) {
    c.resources.requests = { ...c.resources.limits, ...(c.resources.requests ?? {}) };
  }
}

function qosClass(pod: V1Pod): string {
  const containers = [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])];
  let any = false;
  let guaranteed = true;
  for (const c of containers) {
    const req = (c.resources?.requests ?? {}) as Record<string, string>;
    const lim = (c.resources?.limits ?? {}) as Record<string, string>;
    for (const r of ['cpu', 'memory']) {
      if (req[r] !== undefined || lim[r] !== undefined) any = true;
      if (lim[r] === undefined || parseQuantity(req[r]) !== parseQuantity(lim[r])) guaranteed = false;
    }
  }
  if (!any) return 'BestEffort';
  return guaranteed ? 'Guaranteed' : 'Burstable';
}

/** What the API server fills in on create (defaulting + the registry's PrepareForCreate). */
export function applyPodDefaults(pod: V1Pod, namespace: string): V1Pod {
  const meta = (pod.metadata ??= {});
  meta.namespace = namespace;
  meta.uid = randomUUID();
  meta.creationTimestamp = kubeTime() as unknown as Date;
  delete meta.deletionTimestamp;
  delete meta.resourceVersion;
  const spec = pod.spec!;
  spec.restartPolicy ??= 'Always';
  spec.terminationGracePeriodSeconds ??= 30;
  spec.dnsPolicy ??= 'ClusterFirst';
  spec.schedulerName ??= 'default-scheduler';
  spec.securityContext ??= {};
  spec.serviceAccountName ??= 'default';
  spec.serviceAccount ??= spec.serviceAccountName;
  spec.enableServiceLinks ??= true;
  spec.priority ??= 0;
  spec.preemptionPolicy ??= 'PreemptLowerPriority';
  spec.tolerations ??= [
    { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
    { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
  ];
  for (const c of [...(spec.initContainers ?? []), ...spec.containers]) defaultContainer(c);
  delete spec.nodeName;
  pod.status = { phase: 'Pending', qosClass: qosClass(pod) };
  return pod;
}
