import { kubeErrors } from './kube-status.js';

/**
 * `?fieldSelector=` for the fields each resource supports (pods: metadata.*, spec.nodeName,
 * spec.restartPolicy, spec.schedulerName, spec.serviceAccountName, status.phase, status.podIP,
 * status.nominatedNodeName; others: metadata.name and metadata.namespace). Operators `=`, `==`, `!=`.
 */
export interface FieldRequirement {
  field: string;
  negate: boolean;
  value: string;
}

const POD_FIELDS = [
  'metadata.name',
  'metadata.namespace',
  'spec.nodeName',
  'spec.restartPolicy',
  'spec.schedulerName',
  'spec.serviceAccountName',
  'spec.hostNetwork',
  'status.phase',
  'status.podIP',
  'status.nominatedNodeName',
];
const COMMON_FIELDS = ['metadata.name', 'metadata.namespace'];

export function parseFieldSelector(selector: string | undefined | null, resource: string): FieldRequirement[] {
  if (!selector || selector.trim() === '') return [];
  const allowed = resource === 'pods' ? POD_FIELDS : COMMON_FIELDS;
  return selector.split(',').map((part) => {
    const m = /^\s*([^=!\s]+)\s*(==|=|!=)\s*(.*?)\s*$/.exec(part);
    if (!m) throw kubeErrors.badRequest(`invalid selector: '${selector}'; can't understand '${part}'`);
    const [, field, op, value] = m;
    if (!allowed.includes(field!)) {
      throw kubeErrors.badRequest(`field label not supported: ${field}`);
    }
    return { field: field!, negate: op === '!=', value: value! };
  });
}

function fieldValue(obj: Record<string, unknown>, path: string): string {
  let cur: unknown = obj;
  for (const key of path.split('.')) cur = (cur as Record<string, unknown> | undefined)?.[key];
  if (cur === undefined || cur === null) return '';
  return String(cur);
}

export function matchesFields(reqs: FieldRequirement[], obj: Record<string, unknown>): boolean {
  return reqs.every((r) => (fieldValue(obj, r.field) === r.value) !== r.negate);
}
