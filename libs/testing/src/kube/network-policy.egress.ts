import type { V1NetworkPolicy } from '@kubernetes/client-node';
import { matchesSelectorObject } from './label-selector.parser.js';

/**
 * Whether a pod may send traffic at all, by the NetworkPolicy rules: a pod is egress-isolated
 * when some policy in its namespace with policyTypes Egress selects it; it then may send only
 * what one of those policies' egress rules allow. The fake has no per-destination filtering:
 * an isolated pod with at least one egress rule gets Docker's default bridge, one without gets
 * network `none` (loopback only). Ingress rules are not enforced (nothing reaches a pod here but
 * exec and port-forward, which a NetworkPolicy does not govern either).
 */
export function podMayEgress(policies: V1NetworkPolicy[], podLabels: Record<string, string> | undefined): boolean {
  const selecting = policies.filter((p) => {
    const types = p.spec?.policyTypes ?? (p.spec?.egress ? ['Ingress', 'Egress'] : ['Ingress']);
    return types.includes('Egress') && matchesSelectorObject(p.spec?.podSelector ?? {}, podLabels);
  });
  if (selecting.length === 0) return true;
  return selecting.some((p) => (p.spec?.egress ?? []).length > 0);
}
