import type { CallToolResult } from '@modelcontextprotocol/server';
import { SandboxedError } from '@sandboxed/plugin-sdk';
import { ERROR_META_KEY, toolResult } from './tool-result.js';

/**
 * Typed errors that mean the action failed (the sandbox does not exist, the name is taken, a quota is
 * full, the engine is down), which the seed systems answer as `success: false`. A call that is wrong
 * in itself (invalid argument, missing scope) stays an `isError` result, as on every tool.
 */
const ACTION_FAILURES: ReadonlySet<string> = new Set([
  'not_found',
  'conflict',
  'limit_exceeded',
  'quota_exceeded',
  'timeout',
  'unavailable',
]);

/**
 * Runs an alias and answers in its seed system's shape: `body`'s object on success, `failure(message)` when
 * the action failed, as a normal tool result whose `_meta` carries the typed error. Anything else is thrown on.
 */
export async function seedAnswer(
  body: () => Promise<object>,
  failure: (message: string) => object,
): Promise<CallToolResult> {
  try {
    return toolResult(await body());
  } catch (err) {
    if (!(err instanceof SandboxedError) || !ACTION_FAILURES.has(err.code)) throw err;
    return { ...toolResult(failure(err.message)), _meta: { [ERROR_META_KEY]: err.toJSON() } };
  }
}
