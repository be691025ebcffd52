import type { V1NetworkPolicy } from '@kubernetes/client-node';
import { LABELS, MANAGED_BY } from './pod-labels.codec.js';

export const DEFAULT_DENY_POLICY = 'sandboxed-default-deny';
export const ALLOW_EGRESS_POLICY = 'sandboxed-allow-egress';

/** Private, link-local (cloud metadata) and carrier-grade NAT ranges: never reachable, even with egress. */
export const EGRESS_EXCEPT = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '169.254.0.0/16', '100.64.0.0/10'];

/**
 * Every sandbox pod: no ingress, no egress (DNS included). The gateway never dials a pod: it goes
 * through the API server (exec, port-forward), which NetworkPolicy does not cover.
 */
export function defaultDenyPolicy(namespace: string): V1NetworkPolicy {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name: DEFAULT_DENY_POLICY, namespace, labels: { [LABELS.managedBy]: MANAGED_BY } },
    spec: {
      podSelector: { matchLabels: { [LABELS.managedBy]: MANAGED_BY } },
      policyTypes: ['Ingress', 'Egress'],
    },
  };
}

/** Templates with `egress: true`: DNS through kube-dns, and the public internet. */
export function allowEgressPolicy(namespace: string): V1NetworkPolicy {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name: ALLOW_EGRESS_POLICY, namespace, labels: { [LABELS.managedBy]: MANAGED_BY } },
    spec: {
      podSelector: { matchLabels: { [LABELS.managedBy]: MANAGED_BY, [LABELS.egress]: 'true' } },
      policyTypes: ['Egress'],
      egress: [
        {
          to: [
            {
              namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } },
              podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } },
            },
          ],
          ports: [
            { protocol: 'UDP', port: 53 },
            { protocol: 'TCP', port: 53 },
          ],
        },
        { to: [{ ipBlock: { cidr: '0.0.0.0/0', except: EGRESS_EXCEPT } }] },
      ],
    },
  };
}
