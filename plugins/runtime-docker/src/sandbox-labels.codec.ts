import type {
  SandboxRecord,
  SandboxResources,
  SandboxSelector,
  SandboxSpec,
  SandboxStatus,
} from '@sandboxed/plugin-sdk';

/** Every piece of sandbox state lives in these container labels: the engine is the database. */
export const LABELS = {
  id: 'sandboxed.id',
  owner: 'sandboxed.owner',
  template: 'sandboxed.template',
  expiresAt: 'sandboxed.expires-at',
  createdAt: 'sandboxed.created-at',
  cpu: 'sandboxed.cpu',
  memoryMb: 'sandboxed.memory-mb',
  diskMb: 'sandboxed.disk-mb',
  /** How diskMb is enforced: quota | tmpfs (disk-limit.ts). */
  diskLimit: 'sandboxed.disk-limit',
  /** User labels: `sandboxed.label.<key>`. */
  userPrefix: 'sandboxed.label.',
} as const;

export const CONTAINER_PREFIX = 'sandboxed-';

export function containerName(id: string): string {
  return `${CONTAINER_PREFIX}${id}`;
}

export function encodeLabels(
  spec: SandboxSpec,
  resources: SandboxResources & { cpu: number; memoryMb: number },
  createdAt: Date,
  diskLimit: string = 'off',
): Record<string, string> {
  const labels: Record<string, string> = {
    [LABELS.id]: spec.id,
    [LABELS.owner]: spec.owner,
    [LABELS.template]: spec.template,
    [LABELS.expiresAt]: new Date(spec.expiresAt).toISOString(),
    [LABELS.createdAt]: createdAt.toISOString(),
    [LABELS.cpu]: String(resources.cpu),
    [LABELS.memoryMb]: String(resources.memoryMb),
  };
  if (resources.diskMb !== undefined && diskLimit !== 'off') {
    labels[LABELS.diskMb] = String(resources.diskMb);
    labels[LABELS.diskLimit] = diskLimit;
  }
  for (const [k, v] of Object.entries(spec.labels)) labels[`${LABELS.userPrefix}${k}`] = v;
  return labels;
}

function date(value: string | undefined): Date | undefined {
  if (!value) return undefined;
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? undefined : d;
}

function num(value: string | undefined): number | undefined {
  const n = Number(value);
  return value && Number.isFinite(n) ? n : undefined;
}

/** Undefined when the labels are not a complete sandbox (an orphan the reconciler removes). */
export function decodeLabels(labels: Record<string, string> | undefined): SandboxRecord | undefined {
  if (!labels) return undefined;
  const id = labels[LABELS.id];
  const owner = labels[LABELS.owner];
  const expiresAt = date(labels[LABELS.expiresAt]);
  if (!id || owner === undefined || !expiresAt) return undefined;
  const user: Record<string, string> = {};
  for (const [k, v] of Object.entries(labels)) {
    if (k.startsWith(LABELS.userPrefix)) user[k.slice(LABELS.userPrefix.length)] = v;
  }
  const cpu = num(labels[LABELS.cpu]);
  const memoryMb = num(labels[LABELS.memoryMb]);
  const diskMb = num(labels[LABELS.diskMb]);
  return {
    id,
    owner,
    template: labels[LABELS.template] ?? '',
    labels: user,
    resources: {
      ...(cpu !== undefined ? { cpu } : {}),
      ...(memoryMb !== undefined ? { memoryMb } : {}),
      ...(diskMb !== undefined ? { diskMb } : {}),
    },
    createdAt: date(labels[LABELS.createdAt]) ?? expiresAt,
    expiresAt,
  };
}

/** `filters.label` for listContainers: the engine does the selecting. */
export function labelFilters(selector: SandboxSelector = {}): string[] {
  const filters: string[] = [LABELS.id];
  if (selector.owner !== undefined) filters.push(`${LABELS.owner}=${selector.owner}`);
  for (const [k, v] of Object.entries(selector.labels ?? {})) filters.push(`${LABELS.userPrefix}${k}=${v}`);
  return filters;
}

/** Docker's container state → sandbox status. */
export function statusOf(state: string | undefined): SandboxStatus {
  switch (state) {
    case 'running':
      return 'running';
    case 'created':
    case 'restarting':
      return 'starting';
    case 'exited':
    case 'dead':
    case 'paused':
    case 'removing':
      return 'stopped';
    default:
      return 'error';
  }
}

export type { SandboxRecord };
