import { createHash } from 'node:crypto';
import type { V1Pod } from '@kubernetes/client-node';
import type { SandboxRecord, SandboxResources, SandboxSelector, SandboxSpec } from '@sandboxed/plugin-sdk';

/**
 * Every piece of sandbox state lives on its pod: the cluster is the database, so any replica
 * (and one restarted) sees the same sandboxes. Labels carry what is selected on (label values
 * are limited to 63 safe characters, so owners are hashed); annotations carry exact values.
 */
export const LABELS = {
  managedBy: 'app.kubernetes.io/managed-by',
  name: 'app.kubernetes.io/name',
  sandbox: 'sandboxed.dev/sandbox',
  owner: 'sandboxed.dev/owner',
  template: 'sandboxed.dev/template',
  egress: 'sandboxed.dev/egress',
} as const;

export const ANNOTATIONS = {
  id: 'sandboxed.dev/id',
  owner: 'sandboxed.dev/owner',
  template: 'sandboxed.dev/template',
  expiresAt: 'sandboxed.dev/expires-at',
  createdAt: 'sandboxed.dev/created-at',
  labels: 'sandboxed.dev/labels',
  resources: 'sandboxed.dev/resources',
} as const;

export const MANAGED_BY = 'sandboxed';
/** On pods that started as warm-pool members (pool-pod.codec.ts). */
export const POOL_KEY_LABEL = 'sandboxed.dev/pool-key';
export const CONTAINER_NAME = 'sandbox';
const POD_PREFIX = 'sandbox-';

const LABEL_SAFE = /^[a-z0-9]([-a-z0-9]{0,53}[a-z0-9])?$/;

function digest(value: string, length: number): string {
  return createHash('sha256').update(value).digest('hex').slice(0, length);
}

/** The id as a label value and pod-name suffix: itself when it is already safe, else a hash of it. */
export function sandboxKey(id: string): string {
  return LABEL_SAFE.test(id) ? id : `h${digest(id, 40)}`;
}

export function podName(id: string): string {
  return `${POD_PREFIX}${sandboxKey(id)}`;
}

export function ownerKey(owner: string): string {
  return digest(owner, 40);
}

export function podMetadata(
  spec: SandboxSpec,
  resources: SandboxResources,
  createdAt: Date,
  egress: boolean,
): { name: string; labels: Record<string, string>; annotations: Record<string, string> } {
  return {
    name: podName(spec.id),
    labels: {
      [LABELS.managedBy]: MANAGED_BY,
      [LABELS.name]: 'sandbox',
      [LABELS.sandbox]: sandboxKey(spec.id),
      [LABELS.owner]: ownerKey(spec.owner),
      [LABELS.template]: spec.template,
      [LABELS.egress]: String(egress),
    },
    annotations: {
      [ANNOTATIONS.id]: spec.id,
      [ANNOTATIONS.owner]: spec.owner,
      [ANNOTATIONS.template]: spec.template,
      [ANNOTATIONS.expiresAt]: new Date(spec.expiresAt).toISOString(),
      [ANNOTATIONS.createdAt]: createdAt.toISOString(),
      [ANNOTATIONS.labels]: JSON.stringify(spec.labels),
      [ANNOTATIONS.resources]: JSON.stringify(resources),
    },
  };
}

function date(value: string | undefined): Date | undefined {
  if (!value) return undefined;
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? undefined : d;
}

function json<T extends object>(value: string | undefined): T | undefined {
  try {
    const parsed: unknown = value === undefined ? undefined : JSON.parse(value);
    return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as T) : undefined;
  } catch {
    return undefined;
  }
}

function strings(map: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(Object.entries(map).filter(([, v]) => typeof v === 'string')) as Record<string, string>;
}

function numbers(map: Record<string, unknown>): SandboxResources {
  return Object.fromEntries(
    Object.entries(map).filter(([, v]) => typeof v === 'number' && Number.isFinite(v)),
  ) as SandboxResources;
}

/** Its own name, or the name it had as a warm-pool member (pool-pod.codec.ts) that was claimed. */
function namedFor(pod: V1Pod, id: string): boolean {
  const name = pod.metadata?.name;
  if (name === podName(id)) return true;
  const key = pod.metadata?.labels?.[POOL_KEY_LABEL];
  return (
    /^[0-9a-f]{32}$/.test(key ?? '') &&
    name === `sandbox-pool-${key}` &&
    pod.metadata?.labels?.[LABELS.sandbox] === sandboxKey(id)
  );
}

/** Undefined when the pod is not a complete sandbox (an orphan the reconciler removes). */
export function decodePod(pod: V1Pod): SandboxRecord | undefined {
  const a = pod.metadata?.annotations ?? {};
  const id = a[ANNOTATIONS.id];
  const owner = a[ANNOTATIONS.owner];
  const expiresAt = date(a[ANNOTATIONS.expiresAt]);
  if (!id || owner === undefined || !expiresAt || !namedFor(pod, id)) return undefined;
  return {
    id,
    owner,
    template: a[ANNOTATIONS.template] ?? '',
    labels: strings(json<Record<string, unknown>>(a[ANNOTATIONS.labels]) ?? {}),
    resources: numbers(json<Record<string, unknown>>(a[ANNOTATIONS.resources]) ?? {}),
    createdAt: date(a[ANNOTATIONS.createdAt]) ?? expiresAt,
    expiresAt,
  };
}

/** The label selector for list and watch: the API server selects by owner; user labels are matched here. */
export function labelSelector(selector: SandboxSelector = {}): string {
  const parts = [`${LABELS.managedBy}=${MANAGED_BY}`, `${LABELS.name}=sandbox`];
  if (selector.owner !== undefined) parts.push(`${LABELS.owner}=${ownerKey(selector.owner)}`);
  return parts.join(',');
}

export function matches(record: SandboxRecord, selector: SandboxSelector = {}): boolean {
  if (selector.owner !== undefined && record.owner !== selector.owner) return false;
  return Object.entries(selector.labels ?? {}).every(([k, v]) => record.labels[k] === v);
}

export type { SandboxRecord };
