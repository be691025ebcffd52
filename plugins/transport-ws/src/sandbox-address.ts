import { InvalidArgumentError, type InvocationRequest, type OperationDefinition } from '@sandboxed/plugin-sdk';

/** REST binding of a lifecycle operation addressed by the sandbox itself: `sandboxes/{id}`. */
const SANDBOX_PATH = /^\/?sandboxes\/\{id\}(\/|$)/;

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * What a `/v1/ws` call asks of the invoker. `sandboxId` plays the role of the sandbox `{id}` in REST
 * paths: the sandbox a sandbox-scoped operation acts in, and the `id` input of the operations REST
 * addresses as `/v1/sandboxes/{id}` (`sandbox.get`, `sandbox.delete`). Missing where one is needed, or
 * given where none applies, is a 400 that says so, never silently ignored.
 */
export function invocationFor(
  op: OperationDefinition | undefined,
  call: { sandboxId?: string; input: unknown },
): InvocationRequest {
  const { sandboxId, input } = call;
  if (!op) return { sandboxId, input };
  if (op.scope === 'sandbox') {
    if (sandboxId === undefined)
      throw new InvalidArgumentError(`Operation ${op.id} acts in a sandbox: give the sandbox's id as sandboxId`);
    return { sandboxId, input };
  }
  if (op.http && SANDBOX_PATH.test(op.http.path)) {
    if (sandboxId === undefined) {
      if (isObject(input) && input.id !== undefined) return { input };
      throw new InvalidArgumentError(`Operation ${op.id} needs the sandbox's id as sandboxId (or input.id)`);
    }
    if (!isObject(input)) return { input };
    if (input.id !== undefined && input.id !== sandboxId)
      throw new InvalidArgumentError(`sandboxId and input.id name different sandboxes; send one of them`);
    return { input: { ...input, id: sandboxId } };
  }
  if (sandboxId !== undefined)
    throw new InvalidArgumentError(`Operation ${op.id} acts in no sandbox; leave out sandboxId`);
  return { input };
}
