import type { KubeObject } from './fake-object.store.js';

/**
 * Server-side printing (`Accept: application/json;as=Table;v=v1;g=meta.k8s.io`): the
 * meta.k8s.io/v1 Table the API server's printers build (pkg/printers/internalversion) for
 * pods (NAME READY STATUS RESTARTS AGE, wide: IP NODE NOMINATED NODE READINESS GATES),
 * namespaces and networkpolicies. Rows carry the object as PartialObjectMetadata unless
 * `includeObject=Object` (or None) is asked.
 */
interface Column {
  name: string;
  type: string;
  format: string;
  description: string;
  priority: number;
}

const col = (name: string, description: string, priority = 0, format = ''): Column => ({
  name,
  type: 'string',
  format,
  description,
  priority,
});

const NAME_DOC =
  'Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names';
const AGE_DOC =
  'CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC.\n\nPopulated by the system. Read-only. Null for lists. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata';

const COLUMNS: Record<string, Column[]> = {
  pods: [
    col('Name', NAME_DOC, 0, 'name'),
    col('Ready', 'The aggregate readiness state of this pod for accepting traffic.'),
    col('Status', 'The aggregate status of the containers in this pod.'),
    col(
      'Restarts',
      'The number of times the containers in this pod have been restarted and when the last container in this pod has restarted.',
    ),
    col('Age', AGE_DOC),
    col(
      'IP',
      'podIP address allocated to the pod. Routable at least within the cluster. Empty if not yet allocated.',
      1,
    ),
    col('Node', 'NodeName indicates in which node this pod is scheduled.', 1),
    col(
      'Nominated Node',
      'nominatedNodeName is set when this pod preempts other pods on the node, but it cannot be scheduled right away as preemption victims receive their graceful termination periods.',
      1,
    ),
    col('Readiness Gates', 'If specified, all readiness gates will be evaluated for pod readiness.', 1),
  ],
  namespaces: [col('Name', NAME_DOC, 0, 'name'), col('Status', 'The status of the namespace'), col('Age', AGE_DOC)],
  networkpolicies: [
    col('Name', NAME_DOC, 0, 'name'),
    col('Pod-Selector', 'Select the pods to which this NetworkPolicy object applies.'),
    col('Age', AGE_DOC),
  ],
};

/** duration.HumanDuration from k8s.io/apimachinery. */
export function humanDuration(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  if (seconds < -1) return '<invalid>';
  if (seconds < 0) return '0s';
  if (seconds < 60 * 2) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 10) return seconds % 60 === 0 ? `${minutes}m` : `${minutes}m${seconds % 60}s`;
  if (minutes < 60 * 3) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 8) return minutes % 60 === 0 ? `${hours}h` : `${hours}h${minutes % 60}m`;
  if (hours < 48) return `${hours}h`;
  if (hours < 24 * 8)
    return hours % 24 === 0 ? `${Math.floor(hours / 24)}d` : `${Math.floor(hours / 24)}d${hours % 24}h`;
  if (hours < 24 * 365 * 2) return `${Math.floor(hours / 24)}d`;
  if (hours < 24 * 365 * 8) return `${Math.floor(hours / 24 / 365)}y${Math.floor(hours / 24) % 365}d`;
  return `${Math.floor(hours / 24 / 365)}y`;
}

function age(o: KubeObject): string {
  return humanDuration(Date.now() - Date.parse(o.metadata.creationTimestamp));
}

interface ContainerStatusLike {
  ready?: boolean;
  restartCount?: number;
  state?: {
    waiting?: { reason?: string };
    running?: unknown;
    terminated?: { reason?: string; exitCode?: number; signal?: number };
  };
  lastState?: { terminated?: { finishedAt?: string } };
}

interface PodStatusLike {
  phase?: string;
  reason?: string;
  conditions?: Array<{ type?: string; status?: string }>;
  initContainerStatuses?: ContainerStatusLike[];
  containerStatuses?: ContainerStatusLike[];
  podIP?: string;
  nominatedNodeName?: string;
}

/** printPod's STATUS while init containers run: Init:N/M, Init:<reason>, or undefined once none is pending. */
function initReason(statuses: ContainerStatusLike[], total: number): string | undefined {
  for (const [i, cs] of statuses.entries()) {
    const t = cs.state?.terminated;
    if (t && t.exitCode === 0) continue;
    if (t) {
      if (t.reason) return `Init:${t.reason}`;
      return t.signal ? `Init:Signal:${t.signal}` : `Init:ExitCode:${t.exitCode}`;
    }
    const waiting = cs.state?.waiting?.reason;
    if (waiting && waiting !== 'PodInitializing') return `Init:${waiting}`;
    return `Init:${i}/${total}`;
  }
  return undefined;
}

/** printPod's READY, STATUS and RESTARTS. */
function podCells(o: KubeObject): unknown[] {
  const spec = (o.spec ?? {}) as {
    containers?: unknown[];
    initContainers?: unknown[];
    nodeName?: string;
    readinessGates?: unknown[];
  };
  const status = (o.status ?? {}) as PodStatusLike;
  const total = spec.containers?.length ?? 0;
  let ready = 0;
  let restarts = 0;
  let lastRestart = 0;
  let reason = status.reason || status.phase || '';
  let hasRunning = false;
  const inits = status.initContainerStatuses ?? [];
  for (const cs of inits) {
    restarts += cs.restartCount ?? 0;
    const fin = cs.lastState?.terminated?.finishedAt;
    if (fin) lastRestart = Math.max(lastRestart, Date.parse(fin));
  }
  const initializing = initReason(inits, spec.initContainers?.length ?? inits.length);
  if (initializing) reason = initializing;
  const initialized = status.conditions?.some((c) => c.type === 'Initialized' && c.status === 'True') ?? false;
  if (!initializing || initialized) {
    restarts = 0;
    lastRestart = 0;
  }
  for (const cs of !initializing || initialized ? [...(status.containerStatuses ?? [])].reverse() : []) {
    restarts += cs.restartCount ?? 0;
    const fin = cs.lastState?.terminated?.finishedAt;
    if (fin) lastRestart = Math.max(lastRestart, Date.parse(fin));
    if (cs.state?.waiting?.reason) reason = cs.state.waiting.reason;
    else if (cs.state?.terminated?.reason) reason = cs.state.terminated.reason;
    else if (cs.state?.terminated) {
      reason = cs.state.terminated.signal
        ? `Signal:${cs.state.terminated.signal}`
        : `ExitCode:${cs.state.terminated.exitCode}`;
    } else if (cs.ready && cs.state?.running) {
      hasRunning = true;
      ready++;
    }
  }
  if (reason === 'Completed' && hasRunning) reason = 'Running';
  if (o.metadata.deletionTimestamp) reason = 'Terminating';
  const restartsCell = lastRestart ? `${restarts} (${humanDuration(Date.now() - lastRestart)} ago)` : String(restarts);
  return [
    o.metadata.name,
    `${ready}/${total}`,
    reason,
    restartsCell,
    age(o),
    status.podIP || '<none>',
    spec.nodeName || '<none>',
    status.nominatedNodeName || '<none>',
    '<none>',
  ];
}

function selectorText(
  sel:
    | {
        matchLabels?: Record<string, string>;
        matchExpressions?: Array<{ key: string; operator: string; values?: string[] }>;
      }
    | undefined,
): string {
  const parts = Object.entries(sel?.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`);
  for (const e of sel?.matchExpressions ?? []) {
    const op = { In: 'in', NotIn: 'notin' }[e.operator];
    if (op) parts.push(`${e.key} ${op} (${(e.values ?? []).join(',')})`);
    else parts.push(e.operator === 'Exists' ? e.key : `!${e.key}`);
  }
  return parts.length ? parts.join(',') : '<none>';
}

function cells(resource: string, o: KubeObject): unknown[] {
  if (resource === 'pods') return podCells(o);
  if (resource === 'namespaces') return [o.metadata.name, (o.status as { phase?: string })?.phase ?? 'Active', age(o)];
  return [o.metadata.name, selectorText((o.spec as { podSelector?: never })?.podSelector), age(o)];
}

export type IncludeObject = 'None' | 'Metadata' | 'Object';

function rowObject(o: KubeObject, include: IncludeObject, apiVersion: string, kind: string): unknown {
  if (include === 'None') return undefined;
  if (include === 'Object') return { ...o, apiVersion, kind };
  return { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: o.metadata };
}

export function toTable(
  resource: string,
  objects: KubeObject[],
  opts: { resourceVersion?: string; include: IncludeObject; apiVersion: string; kind: string; columns?: boolean },
): Record<string, unknown> {
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: opts.resourceVersion ? { resourceVersion: opts.resourceVersion } : {},
    columnDefinitions: opts.columns === false ? null : COLUMNS[resource],
    rows: objects.map((o) => {
      const row: Record<string, unknown> = { cells: cells(resource, o) };
      const obj = rowObject(o, opts.include, opts.apiVersion, opts.kind);
      if (obj) row.object = obj;
      return row;
    }),
  };
}

/** Whether an Accept header asks for a meta.k8s.io Table, and which object form the rows carry. */
export function wantsTable(accept: string | undefined): boolean {
  return (accept ?? '').split(',').some((part) => {
    const p = part.replace(/\s+/g, '');
    return (
      p.includes('as=Table') &&
      p.includes('g=meta.k8s.io') &&
      (p.includes('v=v1;') || p.endsWith('v=v1') || p.includes('v=v1beta1'))
    );
  });
}
