import { describe, expect, it } from '@jest/globals';
import type { KubeObject } from './fake-object.store.js';
import { mergePatch, patchPod } from './fake-pod.patch.js';
import { KubeStatusError } from './kube-status.js';

const PODS = { group: '', resource: 'pods' };
const pod = (): KubeObject =>
  ({
    metadata: {
      name: 'p',
      namespace: 'ns',
      uid: 'u1',
      resourceVersion: '7',
      creationTimestamp: '2026-01-01T00:00:00Z',
      labels: { a: '1' },
    },
    spec: { containers: [{ name: 'c', image: 'i' }], activeDeadlineSeconds: 100 },
    status: { phase: 'Running' },
  }) as KubeObject;

function statusOf(fn: () => unknown): { code: number; reason: string } {
  try {
    fn();
  } catch (err) {
    return (err as KubeStatusError).status as { code: number; reason: string };
  }
  throw new Error('no error');
}

describe('fake pod PATCH', () => {
  it('merges as RFC 7386: objects key by key, null removes, arrays replace', () => {
    expect(mergePatch({ a: { b: 1, c: 2 }, d: [1] }, { a: { b: null, e: 3 }, d: [2] })).toEqual({
      a: { c: 2, e: 3 },
      d: [2],
    });
  });

  it('applies metadata at the current resourceVersion and refuses a stale one with 409 Conflict', () => {
    const next = patchPod(PODS, pod(), { metadata: { resourceVersion: '7', labels: { b: '2' } } });
    expect(next.metadata.labels).toEqual({ a: '1', b: '2' });
    expect(
      statusOf(() => patchPod(PODS, pod(), { metadata: { resourceVersion: '6', labels: { b: '2' } } })),
    ).toMatchObject({ code: 409, reason: 'Conflict' });
    expect(statusOf(() => patchPod(PODS, pod(), { metadata: { uid: 'other' } }))).toMatchObject({ code: 409 });
  });

  it('keeps the spec but for a lower activeDeadlineSeconds, keeps status and validates labels', () => {
    expect(patchPod(PODS, pod(), { spec: { activeDeadlineSeconds: 50 } }).spec).toMatchObject({
      activeDeadlineSeconds: 50,
    });
    expect(statusOf(() => patchPod(PODS, pod(), { spec: { activeDeadlineSeconds: 200 } }))).toMatchObject({
      code: 422,
    });
    expect(statusOf(() => patchPod(PODS, pod(), { spec: { hostname: 'x' } }))).toMatchObject({ code: 422 });
    expect(statusOf(() => patchPod(PODS, pod(), { metadata: { labels: { b: 'x'.repeat(64) } } }))).toMatchObject({
      code: 422,
    });
    expect(statusOf(() => patchPod(PODS, pod(), { metadata: { name: 'q' } }))).toMatchObject({ code: 400 });
    expect(patchPod(PODS, pod(), { status: { phase: 'Failed' } }).status).toEqual({ phase: 'Running' });
  });
});
