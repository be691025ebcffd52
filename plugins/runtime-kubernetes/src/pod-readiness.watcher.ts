import type { V1Pod, Watch } from '@kubernetes/client-node';

export type Readiness =
  | { state: 'ready'; pod: V1Pod }
  | { state: 'pending'; reason?: string }
  | { state: 'failed'; reason: string; message: string; container?: string };

/** Waiting reasons that do not get better by waiting (an image that cannot be pulled, a command that cannot start). */
const FATAL_WAITING = new Set([
  'ErrImagePull',
  'ImagePullBackOff',
  'InvalidImageName',
  'ErrImageNeverPull',
  'CreateContainerConfigError',
  'CreateContainerError',
  'RunContainerError',
  'CrashLoopBackOff',
]);

/** Where a pod is on its way to Ready: ready, still pending (and why, if the cluster says), or failed for good. */
export function readinessOf(pod: V1Pod): Readiness {
  const status = pod.status ?? {};
  if (pod.metadata?.deletionTimestamp)
    return { state: 'failed', reason: 'Deleted', message: 'the pod is being deleted' };
  if (status.phase === 'Failed' || status.phase === 'Succeeded') {
    return {
      state: 'failed',
      reason: status.reason ?? status.phase,
      message: status.message ?? `phase ${status.phase}`,
    };
  }
  // An init container that cannot start or exits non-zero keeps the pod Pending for good (restartPolicy Always).
  for (const c of status.initContainerStatuses ?? []) {
    const waiting = c.state?.waiting;
    const where = `init container ${c.name}`;
    if (waiting?.reason && FATAL_WAITING.has(waiting.reason)) {
      return {
        state: 'failed',
        reason: waiting.reason,
        message: `${where}: ${waiting.message ?? waiting.reason}`,
        container: c.name,
      };
    }
    const terminated = [c.state?.terminated, c.lastState?.terminated].find((t) => t && t.exitCode !== 0);
    if (terminated) {
      return {
        state: 'failed',
        reason: terminated.reason ?? 'Error',
        message: `${where} exited with code ${terminated.exitCode}${terminated.message ? `: ${terminated.message}` : ''}`,
        container: c.name,
      };
    }
  }
  for (const c of status.containerStatuses ?? []) {
    const waiting = c.state?.waiting;
    if (waiting?.reason && FATAL_WAITING.has(waiting.reason)) {
      return { state: 'failed', reason: waiting.reason, message: waiting.message ?? waiting.reason };
    }
    const terminated = c.state?.terminated ?? (c.restartCount ? c.lastState?.terminated : undefined);
    if (terminated) {
      return {
        state: 'failed',
        reason: terminated.reason ?? 'Terminated',
        message: terminated.message ?? `the sandbox container exited with code ${terminated.exitCode}`,
      };
    }
  }
  const conditions = status.conditions ?? [];
  if (status.phase === 'Running' && conditions.some((c) => c.type === 'Ready' && c.status === 'True')) {
    return { state: 'ready', pod };
  }
  const unscheduled = conditions.find((c) => c.type === 'PodScheduled' && c.status === 'False');
  if (unscheduled)
    return {
      state: 'pending',
      reason: `${unscheduled.reason ?? 'Unschedulable'}: ${unscheduled.message ?? ''}`.trim(),
    };
  const waiting = status.containerStatuses?.find((c) => c.state?.waiting?.reason)?.state?.waiting;
  return {
    state: 'pending',
    ...(waiting?.reason ? { reason: `${waiting.reason}: ${waiting.message ?? ''}`.trim() } : {}),
  };
}

export interface ReadinessWait {
  watch: Watch;
  namespace: string;
  name: string;
  /** The created pod: its resourceVersion is where the watch starts. */
  created: V1Pod;
  timeoutMs: number;
  /** Re-reads the pod when the watch ends early (undefined: gone). */
  reread(): Promise<V1Pod | undefined>;
}

/**
 * Waits through a watch until the pod is Ready or has failed for good, or the deadline passes
 * (then the last pending reason, e.g. Unschedulable, says why). The watch is restarted from the
 * last seen resourceVersion if the server ends it early.
 */
export async function awaitReady(w: ReadinessWait): Promise<Readiness> {
  let last: Readiness = readinessOf(w.created);
  if (last.state !== 'pending') return last;
  let resourceVersion = w.created.metadata?.resourceVersion;
  const deadline = Date.now() + w.timeoutMs;
  let abort: AbortController | undefined;
  let settle!: (r: Readiness) => void;
  const settled = new Promise<Readiness>((resolve) => (settle = resolve));
  let finished = false;
  const finish = (r: Readiness): void => {
    if (finished) return;
    finished = true;
    settle(r);
  };
  const timer = setTimeout(() => finish(last), w.timeoutMs);
  const onPod = (pod: V1Pod): void => {
    resourceVersion = pod.metadata?.resourceVersion ?? resourceVersion;
    last = readinessOf(pod);
    if (last.state !== 'pending') finish(last);
  };
  const start = async (): Promise<void> => {
    if (finished) return;
    abort = await w.watch.watch(
      `/api/v1/namespaces/${w.namespace}/pods`,
      {
        fieldSelector: `metadata.name=${w.name}`,
        ...(resourceVersion ? { resourceVersion } : {}),
        allowWatchBookmarks: true,
        timeoutSeconds: Math.max(1, Math.ceil((deadline - Date.now()) / 1000)),
      },
      (type: string, obj: V1Pod) => {
        if (type === 'BOOKMARK') resourceVersion = obj.metadata?.resourceVersion ?? resourceVersion;
        else if (type === 'DELETED') finish({ state: 'failed', reason: 'Deleted', message: 'the pod was deleted' });
        else if (type === 'ADDED' || type === 'MODIFIED') onPod(obj);
      },
      () => void restart(),
    );
  };
  const restart = async (): Promise<void> => {
    if (finished) return;
    // The server ended the watch (timeout, 410 Gone, a dropped connection): read the pod, then watch again.
    const pod = await w.reread().catch(() => undefined);
    if (!pod) return finish({ state: 'failed', reason: 'Deleted', message: 'the pod was deleted' });
    resourceVersion = undefined;
    onPod(pod);
    if (!finished && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 200));
      await start().catch(() => restart());
    }
  };
  await start().catch(() => restart());
  try {
    return await settled;
  } finally {
    clearTimeout(timer);
    abort?.abort();
  }
}
