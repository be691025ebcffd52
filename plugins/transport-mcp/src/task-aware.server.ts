import { Server, type JSONRPCRequest, type Result, type ServerContext } from '@modelcontextprotocol/server';

/** A CreateTaskResult on its way out of a tools/call handler, past the SDK's CallToolResult check. */
class TaskResult {
  constructor(readonly result: Result) {}
}

/** Marks a tools/call handler's result as a CreateTaskResult (mcp-tasks.ts), which the server sends as it is. */
export const isTaskResult = (err: unknown): boolean => err instanceof TaskResult;

export const asTaskResult = (result: object): never => {
  throw new TaskResult(result as Result);
};

/**
 * The SDK's low-level Server, able to answer a tools/call with a task. SDK v2 serves no tasks itself, and its
 * tools/call wrapper checks every result against CallToolResult (which a 2025-11-25 `{task}` or a 2026-07-28
 * `resultType: "task"` result is not); the task result passes that check by travelling as a throw through it.
 * Everything else about tools/call (request validation, input_required, result checks) stays the SDK's.
 */
export class TaskAwareServer extends Server {
  protected override _wrapHandler(
    method: string,
    handler: (request: JSONRPCRequest, ctx: ServerContext) => Promise<Result>,
  ): (request: JSONRPCRequest, ctx: ServerContext) => Promise<Result> {
    const wrapped = super._wrapHandler(method, handler);
    if (method !== 'tools/call') return wrapped;
    return async (request, ctx) => {
      try {
        return await wrapped(request, ctx);
      } catch (err) {
        if (err instanceof TaskResult) return err.result;
        throw err;
      }
    };
  }
}
