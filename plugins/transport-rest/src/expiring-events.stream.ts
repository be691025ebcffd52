import {
  credentialsExpiredError,
  onCredentialsExpiry,
  type OperationEvent,
  type Principal,
} from '@sandboxed/plugin-sdk';

/**
 * A stream lives no longer than the credentials that opened it: at their expiry the operation is
 * aborted (`abort`) and the stream ends with one final `error` event (`unauthorized`), the same shape
 * as any other failure. Credentials without expiry pass the events through untouched.
 */
export async function* untilCredentialsExpire(
  events: AsyncIterable<OperationEvent>,
  principal: Principal,
  abort: AbortController,
): AsyncGenerator<OperationEvent> {
  if (principal.expiresAt === undefined) return yield* events;
  let cancel = (): void => undefined;
  const expired = new Promise<'expired'>(
    (resolve) => (cancel = onCredentialsExpiry(principal, () => resolve('expired'))),
  );
  const iterator = events[Symbol.asyncIterator]();
  try {
    for (;;) {
      const next = await Promise.race([iterator.next(), expired]);
      if (next === 'expired') {
        abort.abort();
        yield { type: 'error', error: credentialsExpiredError().toJSON() };
        return;
      }
      if (next.done) return;
      yield next.value;
    }
  } finally {
    cancel();
    // A producer blocked on its next event learns from the abort; do not wait for it here.
    void Promise.resolve(iterator.return?.()).catch(() => undefined);
  }
}
