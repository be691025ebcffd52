import { SandboxedError, UnavailableError, type OperationEvent } from '@sandboxed/plugin-sdk';

/** The message of a CDP protocol error (chrome-remote-interface rejects with `{response: {message}}`). */
export function cdpMessage(err: unknown): string {
  const response = (err as { response?: { message?: string; data?: string } })?.response;
  if (response?.message) return response.data ? `${response.message} (${response.data})` : response.message;
  return err instanceof Error ? err.message : String(err);
}

/** Typed errors pass; anything else from the browser becomes a 503 that says what failed. */
export function browserError(err: unknown, doing: string): SandboxedError {
  if (err instanceof SandboxedError) return err;
  return new UnavailableError(`The browser failed to ${doing}: ${cdpMessage(err)}`);
}

/** A stream whose browser failures surface as typed errors, like the unary operations'. */
export async function* typedErrors(
  events: AsyncIterable<OperationEvent>,
  doing: string,
): AsyncGenerator<OperationEvent> {
  try {
    yield* events;
  } catch (err) {
    throw browserError(err, doing);
  }
}
