import {
  fromJsonSchema,
  MissingRequiredClientCapabilityError,
  ProtocolError,
  type CallToolRequest,
  type Server,
  type ServerCapabilities,
} from '@modelcontextprotocol/server';
import { SandboxedError, type Principal } from '@sandboxed/plugin-sdk';
import type { CommandProcess, CommandTask, StartedCommand } from './command-task.js';
import { ErrorCode } from './json-rpc.error-codes.js';
import type { HandlerExtra, McpEra } from './mcp-server.factory.js';
import type { McpTool, ToolCallContext } from './mcp.tool.js';
import { protocolError } from './protocol.error.js';
import type { ToolSet } from './tool.set.js';

/** The 2026-07-28 tasks extension (SEP-2663). */
export const TASKS_EXTENSION = 'io.modelcontextprotocol/tasks';
const CLIENT_CAPABILITIES = 'io.modelcontextprotocol/clientCapabilities';
const RELATED_TASK = 'io.modelcontextprotocol/related-task';
const POLL_INTERVAL_MS = 2000;
/** How long one tasks/result (2025-11-25) waits per round for the process to end. */
const RESULT_WAIT_MS = 30_000;

type TaskStatus = 'working' | 'completed' | 'cancelled';

/**
 * What a task id names: the tool, and the sandbox and background process that hold its state. The id is the
 * process's address, so any gateway (after a restart, or another replica) serves it, and whose it is, is the
 * sandbox's owner, checked by the invoker on every task request: another principal's task is not found. The
 * process id is 64 random bits, so ids cannot be guessed either.
 */
interface TaskRef {
  tool: string;
  sandboxId: string;
  processId: string;
}

const encodeTaskId = (ref: TaskRef): string =>
  Buffer.from(JSON.stringify([ref.tool, ref.sandboxId, ref.processId])).toString('base64url');

function decodeTaskId(taskId: unknown): TaskRef | undefined {
  if (typeof taskId !== 'string' || taskId.length > 512) return undefined;
  try {
    const parts = JSON.parse(Buffer.from(taskId, 'base64url').toString('utf8')) as unknown;
    if (!Array.isArray(parts) || parts.length !== 3 || !parts.every((p) => typeof p === 'string')) return undefined;
    const [tool, sandboxId, processId] = parts as string[];
    return { tool, sandboxId, processId };
  } catch {
    return undefined;
  }
}

/** The task status of its process: killed without its timeout is a cancel (tasks/cancel or process_kill). */
function statusOf(p: CommandProcess): TaskStatus {
  if (p.status === 'running') return 'working';
  return p.status === 'killed' && !p.timedOut ? 'cancelled' : 'completed';
}

const TASK_ID_PARAMS = fromJsonSchema<{ taskId: string }>({
  type: 'object',
  properties: { taskId: { type: 'string' }, _meta: { type: 'object' } },
  required: ['taskId'],
});
const UPDATE_PARAMS = fromJsonSchema<{ taskId: string; inputResponses?: Record<string, unknown> }>({
  type: 'object',
  properties: { taskId: { type: 'string' }, inputResponses: { type: 'object' }, _meta: { type: 'object' } },
  required: ['taskId'],
});

/**
 * MCP tasks for the command tools (`shell_exec`, `bash`), in both eras: 2025-11-25's experimental core tasks
 * (`task` param on tools/call; tasks/get, tasks/result, tasks/cancel) and 2026-07-28's `io.modelcontextprotocol/tasks`
 * extension (server-directed CreateTaskResult; tasks/get with the result inlined, tasks/update, tasks/cancel).
 * A task is its command's background process (command-task.ts): cancelling the task kills the process.
 */
export class McpTasks {
  constructor(
    private readonly tools: ToolSet,
    private readonly era: McpEra,
    private readonly principalOf: (ctx: HandlerExtra) => Principal,
  ) {}

  /** Whether this endpoint has a tool that runs as a task. */
  get served(): boolean {
    return this.tools.tools().some((t) => t.task);
  }

  /** What the server advertises: the tasks capability (2025-11-25) or the extension (2026-07-28). */
  capabilities(): ServerCapabilities {
    if (!this.served) return {};
    return this.era === 'legacy'
      ? ({ tasks: { cancel: {}, requests: { tools: { call: {} } } } } as ServerCapabilities)
      : { extensions: { [TASKS_EXTENSION]: {} } };
  }

  install(server: Server): void {
    if (this.era === 'legacy') {
      if (!this.served) return;
      // The SDK's typed overloads leave tasks/* out (v2 serves no tasks itself), so they go with their schemas.
      server.setRequestHandler('tasks/get', { params: TASK_ID_PARAMS }, async (params, ctx) =>
        this.legacyView(await this.find(params, ctx)),
      );
      server.setRequestHandler('tasks/result', { params: TASK_ID_PARAMS }, (params, ctx) =>
        this.legacyResult(params, ctx),
      );
      server.setRequestHandler('tasks/cancel', { params: TASK_ID_PARAMS }, (params, ctx) =>
        this.legacyCancel(params, ctx),
      );
      return;
    }
    // 2026-07-28: the extension's methods, gated on the request declaring the extension.
    server.setRequestHandler('tasks/get', { params: TASK_ID_PARAMS }, async (params, ctx) => {
      this.requireExtension(ctx, params);
      return this.modernView(await this.find(params, ctx), ctx, true);
    });
    server.setRequestHandler('tasks/update', { params: UPDATE_PARAMS }, async (params, ctx) => {
      this.requireExtension(ctx, params);
      await this.find(params, ctx); // no task here asks for input: the responses are acknowledged and ignored
      return {};
    });
    server.setRequestHandler('tasks/cancel', { params: TASK_ID_PARAMS }, async (params, ctx) => {
      this.requireExtension(ctx, params);
      const found = await this.find(params, ctx);
      if (statusOf(found.process) === 'working')
        await this.guard(() => found.task.kill(this.toolCtx(ctx), found.ref.sandboxId, found.ref.processId));
      return {};
    });
  }

  /**
   * Starts a tools/call as a task where the client asked for one (2025-11-25) or declared the extension and the
   * command may outlast the call (2026-07-28); undefined runs the call as usual.
   */
  async start(
    tool: McpTool,
    request: CallToolRequest,
    ctx: HandlerExtra,
    toolCtx: ToolCallContext,
  ): Promise<object | undefined> {
    if (!tool.task) return undefined;
    const params = request.params as CallToolRequest['params'] & { task?: unknown };
    const requested = this.era === 'legacy' && typeof params.task === 'object' && params.task !== null;
    if (
      this.era === 'legacy' ? !requested : !this.declaresExtension(ctx, params as { _meta?: Record<string, unknown> })
    )
      return undefined;
    const started = await tool.task.start(params.arguments ?? {}, toolCtx, requested);
    if (!started) return undefined;
    const ref = { tool: tool.definition.name, sandboxId: started.sandboxId, processId: started.processId };
    const fresh: CommandProcess = { status: 'running', timedOut: false, startedAt: started.startedAt, endedAt: null };
    return this.era === 'legacy'
      ? { task: this.legacyTask(ref, fresh, started) }
      : { resultType: 'task', ...this.modernTask(ref, fresh, started) };
  }

  private taskFields(ref: TaskRef, process: CommandProcess, started?: StartedCommand) {
    const createdAt = process.startedAt ?? started?.startedAt ?? new Date().toISOString();
    const status = statusOf(process);
    return {
      taskId: encodeTaskId(ref),
      status,
      ...(status === 'cancelled' ? { statusMessage: 'The command was killed.' } : {}),
      createdAt,
      lastUpdatedAt: process.endedAt ?? createdAt,
    };
  }

  private legacyTask(ref: TaskRef, process: CommandProcess, started?: StartedCommand) {
    // A task lives as long as its process record does: until its sandbox is deleted.
    return { ...this.taskFields(ref, process, started), ttl: null, pollInterval: POLL_INTERVAL_MS };
  }

  private legacyView(found: Found) {
    return this.legacyTask(found.ref, found.process);
  }

  private modernTask(ref: TaskRef, process: CommandProcess, started?: StartedCommand) {
    return { ...this.taskFields(ref, process, started), ttlMs: null, pollIntervalMs: POLL_INTERVAL_MS };
  }

  private async modernView(found: Found, ctx: HandlerExtra, inline: boolean) {
    const fields = this.modernTask(found.ref, found.process);
    if (!inline || fields.status !== 'completed') return fields;
    const ended = await this.guard(() =>
      found.task.ended(this.toolCtx(ctx), found.ref.sandboxId, found.ref.processId, 0),
    );
    return ended ? { ...fields, result: found.task.result(ended) } : { ...fields, status: 'working' as const };
  }

  /** 2025-11-25 tasks/result: blocks until the task has ended, then answers what the call would have. */
  private async legacyResult(params: unknown, ctx: HandlerExtra) {
    const found = await this.find(params, ctx);
    const toolCtx = this.toolCtx(ctx);
    for (;;) {
      const ended = await this.guard(() =>
        found.task.ended(toolCtx, found.ref.sandboxId, found.ref.processId, RESULT_WAIT_MS),
      );
      if (ended) {
        const result = found.task.result(ended);
        return { ...result, _meta: { ...(result._meta ?? {}), [RELATED_TASK]: { taskId: encodeTaskId(found.ref) } } };
      }
      if (ctx.mcpReq.signal.aborted) throw protocolError(ErrorCode.InternalError, 'tasks/result was cancelled');
    }
  }

  /** 2025-11-25 tasks/cancel: a task that has ended is -32602; else its command is killed and the task answered. */
  private async legacyCancel(params: unknown, ctx: HandlerExtra) {
    const found = await this.find(params, ctx);
    if (statusOf(found.process) !== 'working')
      throw protocolError(
        ErrorCode.InvalidParams,
        `Task ${encodeTaskId(found.ref)} has already ended (${statusOf(found.process)})`,
      );
    const after = await this.guard(() => found.task.kill(this.toolCtx(ctx), found.ref.sandboxId, found.ref.processId));
    // A command that ended on its own meanwhile is still reported cancelled, as the spec has it.
    return { ...this.legacyTask(found.ref, after), status: 'cancelled', statusMessage: 'The command was killed.' };
  }

  private async find(params: unknown, ctx: HandlerExtra): Promise<Found> {
    const taskId = (params as { taskId?: unknown } | undefined)?.taskId;
    const ref = decodeTaskId(taskId);
    const task = ref && this.tools.get(ref.tool)?.task;
    if (!ref || !task) throw notFound(taskId);
    try {
      const process = await task.inspect(this.toolCtx(ctx), ref.sandboxId, ref.processId);
      return { ref, task, process };
    } catch (err) {
      if (err instanceof SandboxedError && (err.code === 'not_found' || err.code === 'invalid_argument'))
        throw notFound(taskId);
      throw err;
    }
  }

  /** Errors of the operations behind a task request are JSON-RPC errors (a task request has no tool result). */
  private async guard<T>(run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (err) {
      if (err instanceof ProtocolError) throw err;
      if (err instanceof SandboxedError && err.code === 'not_found') throw notFound(undefined);
      throw protocolError(ErrorCode.InternalError, (err as Error)?.message ?? String(err));
    }
  }

  private toolCtx(ctx: HandlerExtra): ToolCallContext {
    const none = async (): Promise<void> => undefined;
    return { principal: this.principalOf(ctx), signal: ctx.mcpReq.signal, events: { progress: none, log: none } };
  }

  private declaresExtension(ctx: HandlerExtra, params?: { _meta?: Record<string, unknown> }): boolean {
    // 2026-07-28: the SDK lifts the envelope out of `_meta` into `ctx.mcpReq.envelope`.
    const envelope = (ctx.mcpReq as { envelope?: Record<string, unknown> }).envelope;
    const metas = [envelope, params?._meta, ctx.mcpReq._meta as Record<string, unknown> | undefined];
    return metas.some((meta) => {
      const caps = meta?.[CLIENT_CAPABILITIES] as { extensions?: Record<string, unknown> } | undefined;
      return caps?.extensions?.[TASKS_EXTENSION] !== undefined;
    });
  }

  private requireExtension(ctx: HandlerExtra, params: object): void {
    if (!this.declaresExtension(ctx, params as { _meta?: Record<string, unknown> }))
      throw new MissingRequiredClientCapabilityError(
        { requiredCapabilities: { extensions: { [TASKS_EXTENSION]: {} } } },
        `Missing required client capability: declare the ${TASKS_EXTENSION} extension in the request's clientCapabilities`,
      );
  }
}

interface Found {
  ref: TaskRef;
  task: CommandTask;
  process: CommandProcess;
}

function notFound(taskId: unknown): ProtocolError {
  return protocolError(
    ErrorCode.InvalidParams,
    `Failed to retrieve task: Task not found${typeof taskId === 'string' ? ` (${taskId.slice(0, 80)})` : ''}`,
  );
}
