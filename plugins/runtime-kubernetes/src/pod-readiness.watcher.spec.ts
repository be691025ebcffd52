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

  it('fails for good when an init container cannot start or exits non-zero, naming it; pending while it runs', () => {
    const init = (state: object, lastState: object = {}, restartCount = 0): V1Pod => ({
      status: {
        phase: 'Pending',
        initContainerStatuses: [
          { name: 'install-agent', image: 'a', imageID: '', ready: false, restartCount, state, lastState },
        ],
        containerStatuses: waiting('PodInitializing').status!.containerStatuses!,
      },
    });
    expect(readinessOf(init({ running: {} }))).toEqual({ state: 'pending', reason: 'PodInitializing:' });
    expect(readinessOf(init({ terminated: { exitCode: 0, reason: 'Completed' } })).state).toBe('pending');
    expect(readinessOf(init({ terminated: { exitCode: 1, reason: 'Error' } }))).toEqual({
      state: 'failed',
      reason: 'Error',
      message: 'init container install-agent exited with code 1',
      container: 'install-agent',
    });
    expect(
      readinessOf(init({ waiting: { reason: 'CrashLoopBackOff', message: 'back-off 10s' } }, {}, 1)),
    ).toMatchObject({ state: 'failed', reason: 'CrashLoopBackOff', container: 'install-agent' });
    expect(
      readinessOf(
        init({ waiting: { reason: 'PodInitializing' } }, { terminated: { exitCode: 2, reason: 'Error' } }, 1),
      ),
    ).toMatchObject({ state: 'failed', message: 'init container install-agent exited with code 2' });
    expect(readinessOf(init({ waiting: { reason: 'ErrImagePull', message: 'nope' } }))).toEqual({
      state: 'failed',
      reason: 'ErrImagePull',
      message: 'init container install-agent: nope',
      container: 'install-agent',
    });
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
