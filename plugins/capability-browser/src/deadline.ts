import { TimeoutError } from '@sandboxed/plugin-sdk';

/**
 * Settles with `work`, or fails with a TimeoutError after timeoutMs or when the caller goes away:
 * a page that never answers (a server that accepts and stays silent, a script that never yields)
 * cannot hold an operation past its deadline.
 */
export function withDeadline<T>(work: Promise<T>, timeoutMs: number, what: string, signal?: AbortSignal): Promise<T> {
  work.catch(() => undefined);
  return new Promise<T>((resolve, reject) => {
    const done = (): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    };
    const onAbort = (): void => {
      done();
      reject(new TimeoutError(`${what}: the caller went away`));
    };
    const timer = setTimeout(() => {
      done();
      reject(new TimeoutError(`${what} did not finish within ${timeoutMs} ms`, { timeoutMs }));
    }, timeoutMs);
    if (signal?.aborted) return onAbort();
    signal?.addEventListener('abort', onAbort, { once: true });
    work.then(
      (value) => {
        done();
        resolve(value);
      },
      (err: unknown) => {
        done();
        reject(err);
      },
    );
  });
}
