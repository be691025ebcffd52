import { describe, expect, it } from '@jest/globals';
import type { V1Pod } from '@kubernetes/client-node';
import { readinessOf } from './pod-readiness.watcher.js';

const waiting = (reason: string, message = ''): V1Pod => ({
  metadata: { name: 'p' },
  status: {
    phase: 'Pending',
    containerStatuses: [
      {
        name: 'sandbox',
        image: 'x',
        imageID: '',
        ready: false,
        restartCount: 0,
        state: { waiting: { reason, message } },
      },
    ],
  },
});

describe('readinessOf', () => {
  it('is ready only when Running with the Ready condition', () => {
    expect(readinessOf({ status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] } }).state).toBe(
      'ready',
    );
    expect(readinessOf({ status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'False' }] } }).state).toBe(
      'pending',
    );
  });

  it('fails for good on image pull and start errors, naming the reason', () => {
    for (const reason of ['ErrImagePull', 'ImagePullBackOff', 'RunContainerError', 'CrashLoopBackOff']) {
      expect(readinessOf(waiting(reason, 'why'))).toEqual({ state: 'failed', reason, message: 'why' });
    }
    expect(readinessOf(waiting('ContainerCreating')).state).toBe('pending');
  });

  it('stays pending while unschedulable, and says why', () => {
    const pod: V1Pod = {
      status: {
        phase: 'Pending',
        conditions: [
          {
            type: 'PodScheduled',
            status: 'False',
            reason: 'Unschedulable',
            message: '0/1 nodes are available: 1 Insufficient memory.',
          },
        ],
      },
    };
    expect(readinessOf(pod)).toEqual({
      state: 'pending',
      reason: 'Unschedulable: 0/1 nodes are available: 1 Insufficient memory.',
    });
  });

  it('fails a pod past its deadline or being deleted', () => {
    expect(readinessOf({ status: { phase: 'Failed', reason: 'DeadlineExceeded', message: 'too long' } })).toEqual({
      state: 'failed',
      reason: 'DeadlineExceeded',
      message: 'too long',
    });
    expect(readinessOf({ metadata: { deletionTimestamp: new Date() }, status: { phase: 'Running' } }).state).toBe(
      'failed',
    );
  });
});
