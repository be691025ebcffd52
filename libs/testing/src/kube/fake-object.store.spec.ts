import { describe, expect, it } from '@jest/globals';
import { FakeObjectStore, type KubeObject, type StoreEvent } from './fake-object.store.js';

const obj = (name: string): KubeObject => ({
  metadata: { name, uid: name, resourceVersion: '', creationTimestamp: '2026-01-01T00:00:00Z' },
});

describe('FakeObjectStore', () => {
  it('gives every change a new, increasing resourceVersion and fans it out', () => {
    const store = new FakeObjectStore();
    const seen: StoreEvent[] = [];
    store.subscribe((e) => seen.push(e));
    const a = store.create('pods', 'ns', obj('a'));
    const a2 = store.update('pods', 'ns', 'a', (o) => (o.metadata.labels = { x: 'y' }))!;
    const gone = store.remove('pods', 'ns', 'a')!;
    expect([a, a2, gone].map((o) => Number(o.metadata.resourceVersion))).toEqual([1, 2, 3]);
    expect(seen.map((e) => e.type)).toEqual(['ADDED', 'MODIFIED', 'DELETED']);
    expect(seen[1]!.previous!.metadata.labels).toBeUndefined();
    expect(store.get('pods', 'ns', 'a')).toBeUndefined();
    expect(store.update('pods', 'ns', 'a', () => undefined)).toBeUndefined();
  });

  it('replays the changes after a resourceVersion, and hands out copies', () => {
    const store = new FakeObjectStore();
    store.create('pods', 'ns', obj('a'));
    store.create('pods', 'ns', obj('b'));
    store.remove('pods', 'ns', 'a');
    expect(store.changesSince(1)!.map((e) => `${e.type} ${e.object.metadata.name}`)).toEqual(['ADDED b', 'DELETED a']);
    const b = store.get('pods', 'ns', 'b')!;
    b.metadata.name = 'mutated';
    expect(store.list('pods', 'ns').map((o) => o.metadata.name)).toEqual(['b']);
  });
});
