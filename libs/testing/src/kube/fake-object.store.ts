/**
 * The fake's etcd: every object of every resource under one global resourceVersion counter
 * (like an etcd revision), a bounded history of changes so a watch can resume after a
 * resourceVersion, and fan-out of each change to live watchers.
 */
export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata: {
    name: string;
    namespace?: string;
    uid: string;
    resourceVersion: string;
    creationTimestamp: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    deletionTimestamp?: string;
    deletionGracePeriodSeconds?: number;
    [k: string]: unknown;
  };
  [k: string]: unknown;
}

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface StoreEvent {
  type: WatchEventType;
  resource: string;
  namespace: string;
  rv: number;
  object: KubeObject;
  /** The object before this change (MODIFIED and DELETED), for selector-aware watches. */
  previous?: KubeObject;
}

/** How many changes a watch can resume across before it gets 410 Expired. */
const HISTORY = 10_000;

export class FakeObjectStore {
  private revision = 0;
  private readonly objects = new Map<string, KubeObject>();
  private readonly history: StoreEvent[] = [];
  /** The revision of the newest change dropped from history. */
  private compacted = 0;
  private readonly listeners = new Set<(e: StoreEvent) => void>();

  get resourceVersion(): number {
    return this.revision;
  }

  get compactedRevision(): number {
    return this.compacted;
  }

  get(resource: string, namespace: string, name: string): KubeObject | undefined {
    const o = this.objects.get(key(resource, namespace, name));
    return o ? structuredClone(o) : undefined;
  }

  list(resource: string, namespace?: string): KubeObject[] {
    const prefix = namespace === undefined ? `${resource}/` : `${resource}/${namespace}/`;
    return [...this.objects.entries()]
      .filter(([k]) => k.startsWith(prefix))
      .map(([, o]) => structuredClone(o))
      .sort(
        (a, b) =>
          (a.metadata.namespace ?? '').localeCompare(b.metadata.namespace ?? '') ||
          a.metadata.name.localeCompare(b.metadata.name),
      );
  }

  /** Stores a new object (the caller checked it does not exist) and returns it with its resourceVersion. */
  create(resource: string, namespace: string, obj: KubeObject): KubeObject {
    const stored = structuredClone(obj);
    const rv = ++this.revision;
    stored.metadata.resourceVersion = String(rv);
    this.objects.set(key(resource, namespace, stored.metadata.name), stored);
    this.emit({ type: 'ADDED', resource, namespace, rv, object: structuredClone(stored) });
    return structuredClone(stored);
  }

  /** Applies `mutate` to a copy of the object and stores it under a new resourceVersion. */
  update(resource: string, namespace: string, name: string, mutate: (o: KubeObject) => void): KubeObject | undefined {
    const k = key(resource, namespace, name);
    const current = this.objects.get(k);
    if (!current) return undefined;
    const next = structuredClone(current);
    mutate(next);
    const rv = ++this.revision;
    next.metadata.resourceVersion = String(rv);
    this.objects.set(k, next);
    this.emit({
      type: 'MODIFIED',
      resource,
      namespace,
      rv,
      object: structuredClone(next),
      previous: structuredClone(current),
    });
    return structuredClone(next);
  }

  remove(resource: string, namespace: string, name: string): KubeObject | undefined {
    const k = key(resource, namespace, name);
    const current = this.objects.get(k);
    if (!current) return undefined;
    this.objects.delete(k);
    const rv = ++this.revision;
    const gone = structuredClone(current);
    gone.metadata.resourceVersion = String(rv);
    this.emit({
      type: 'DELETED',
      resource,
      namespace,
      rv,
      object: structuredClone(gone),
      previous: structuredClone(current),
    });
    return gone;
  }

  /** Changes after `rv`, or undefined when some of them were compacted away (410 Expired). */
  changesSince(rv: number): StoreEvent[] | undefined {
    if (rv < this.compacted) return undefined;
    return this.history.filter((e) => e.rv > rv).map((e) => structuredClone(e));
  }

  subscribe(listener: (e: StoreEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(e: StoreEvent): void {
    this.history.push(e);
    while (this.history.length > HISTORY) this.compacted = this.history.shift()!.rv;
    for (const l of [...this.listeners]) l(structuredClone(e));
  }
}

function key(resource: string, namespace: string, name: string): string {
  return `${resource}/${namespace}/${name}`;
}
