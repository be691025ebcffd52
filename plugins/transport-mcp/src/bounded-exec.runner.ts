import type { ExecResult } from '@sandboxed/plugin-sdk';
import { callOp, type AliasDeps } from './alias.deps.js';
import type { ToolCallContext } from './mcp.tool.js';

/** What shell.exec takes, as far as a bounded run passes it on. */
export interface BoundedExecInput {
  [key: string]: unknown;
  command?: string;
  argv?: string[];
  cwd?: string;
  env?: Record<string, string>;
  stdin?: string;
  timeoutMs?: number;
}

/** A command still running when the call's time was up: continue with process_wait from `cursor`. */
export interface ExecHandle {
  running: true;
  processId: string;
  cursor: number;
  stdout: string;
  stderr: string;
  truncated: boolean;
  durationMs: number;
}

export interface BoundedExecOptions {
  /** Longest a call waits before it answers with a handle. */
  boundMs: number;
  /** The timeout a command gets when it names none (the option commandTimeoutMs). */
  defaultTimeoutMs: number;
  /** Cap per stream, as shell.exec's. */
  maxOutputBytes: number;
}

interface WaitPage {
  process: { id: string; status: string; exitCode: number | null; timedOut: boolean };
  lines: Array<{ stream: 'stdout' | 'stderr'; text: string }>;
  cursor: number;
  done: boolean;
}

/** A kind of command a bounded call runs: to the end in one operation, or started as a background process. */
export interface BoundedCommand {
  /** The operation that runs it to the end within one call. */
  op: string;
  /** The operations its background start calls (process.wait follows it). */
  needs: readonly string[];
  /** Starts it as a background process, its stdin written and closed. */
  start(
    deps: AliasDeps,
    ctx: ToolCallContext,
    sandboxId: string,
    input: BoundedExecInput,
    timeoutMs: number,
  ): Promise<{ id: string; startedAt: string | null }>;
}

/** Whether the gateway can run this kind of command as bounded calls (capability-processes is loaded). */
export function canBoundExec(deps: AliasDeps, command: BoundedCommand = SHELL_COMMAND): boolean {
  return deps.hasOperation('process.wait') && command.needs.every((op) => deps.hasOperation(op));
}

/** Appends to one stream's text, up to `cap` bytes. */
class CappedText {
  text = '';
  bytes = 0;
  cut = false;
  constructor(private readonly cap: number) {}
  push(line: string): void {
    const piece = `${line}\n`;
    const size = Buffer.byteLength(piece);
    if (this.bytes + size > this.cap) {
      this.cut = true;
      return;
    }
    this.text += piece;
    this.bytes += size;
  }
}

/**
 * Starts a command as a background process (process.start, with its timeout) and gives it its stdin and then
 * end of file, as shell.exec does. The call's signal does not kill it: whoever follows it decides.
 */
export async function startCommandProcess(
  deps: AliasDeps,
  ctx: ToolCallContext,
  sandboxId: string,
  input: BoundedExecInput,
  timeoutMs: number,
): Promise<{ id: string; startedAt: string | null }> {
  const { stdin, timeoutMs: _own, ...command } = input;
  const process = await callOp<{ id: string; startedAt: string | null }>(
    deps,
    ctx,
    'process.start',
    { ...command, timeoutMs, name: 'shell_exec' },
    sandboxId,
  );
  try {
    await callOp(
      deps,
      ctx,
      'process.stdin',
      { processId: process.id, ...(stdin ? { data: stdin } : {}), eof: true },
      sandboxId,
    );
  } catch (err) {
    if ((err as { code?: string }).code !== 'conflict') throw err; // conflict: it has already ended
  }
  return process;
}

/** `shell_exec`: shell.exec, or process.start with its stdin. */
export const SHELL_COMMAND: BoundedCommand = {
  op: 'shell.exec',
  needs: ['process.start', 'process.stdin'],
  start: startCommandProcess,
};

/** `code_run`: code.run, or code.start (the same files and script as a background process). */
export const CODE_COMMAND: BoundedCommand = {
  op: 'code.run',
  needs: ['code.start'],
  async start(deps, ctx, sandboxId, input, timeoutMs) {
    const started = await callOp<{ processId: string; startedAt: string | null }>(
      deps,
      ctx,
      'code.start',
      { ...input, timeoutMs },
      sandboxId,
    );
    return { id: started.processId, startedAt: started.startedAt };
  },
};

/** Whether a command of this input runs longer than a call may wait (and so as a process, where one can run). */
export function outlastsBound(
  deps: AliasDeps,
  input: BoundedExecInput,
  options: BoundedExecOptions,
  command: BoundedCommand = SHELL_COMMAND,
): boolean {
  return (input.timeoutMs ?? options.defaultTimeoutMs) > options.boundMs && canBoundExec(deps, command);
}

/**
 * The whole output of an ended process, read back from its log, as shell.exec's result (plus its id); undefined
 * while it still runs.
 */
export async function endedProcessResult(
  deps: AliasDeps,
  ctx: ToolCallContext,
  sandboxId: string,
  processId: string,
  maxOutputBytes: number,
  waitMs = 0,
): Promise<(ExecResult & { processId: string }) | undefined> {
  const stdout = new CappedText(maxOutputBytes);
  const stderr = new CappedText(maxOutputBytes);
  let cursor = 0;
  for (let first = true; ; first = false) {
    const page = await callOp<WaitPage & { process: { startedAt: string | null; endedAt: string | null } }>(
      deps,
      ctx,
      'process.wait',
      { processId, cursor, timeoutMs: first ? waitMs : 0 },
      sandboxId,
    );
    if (first && !page.done) return undefined;
    for (const line of page.lines) (line.stream === 'stderr' ? stderr : stdout).push(line.text);
    if (page.cursor === cursor || page.lines.length === 0) {
      const { startedAt, endedAt } = page.process;
      return {
        stdout: stdout.text,
        stderr: stderr.text,
        exitCode: page.process.timedOut ? null : page.process.exitCode,
        timedOut: page.process.timedOut,
        truncated: stdout.cut || stderr.cut,
        durationMs: startedAt && endedAt ? Math.max(0, Date.parse(endedAt) - Date.parse(startedAt)) : 0,
        processId,
      };
    }
    cursor = page.cursor;
  }
}

/**
 * Runs a command so that the call answers within `boundMs`. A command whose timeout fits in the
 * bound runs as shell.exec, exactly. A longer one runs as a background process (process.start,
 * with its timeout) followed with process.wait: when it ends in time, the result is shell.exec's
 * shape (output read back from its log, a line at a time); when it does not, the result is a
 * handle, and the command keeps running for the caller to follow with process_wait. A caller
 * who cancels the call kills it.
 */
export async function runBounded(
  deps: AliasDeps,
  ctx: ToolCallContext,
  sandboxId: string,
  input: BoundedExecInput,
  options: BoundedExecOptions,
  command: BoundedCommand = SHELL_COMMAND,
): Promise<(ExecResult & { processId?: string }) | ExecHandle> {
  const timeoutMs = input.timeoutMs ?? options.defaultTimeoutMs;
  if (timeoutMs <= options.boundMs || !canBoundExec(deps, command)) {
    return callOp<ExecResult>(deps, ctx, command.op, { ...input, timeoutMs }, sandboxId);
  }
  const started = Date.now();
  const process = await command.start(deps, ctx, sandboxId, input, timeoutMs);
  const kill = (): void =>
    void deps.invoker
      .invoke(
        'process.kill',
        { sandboxId, input: { processId: process.id } },
        ctx.principal,
        AbortSignal.timeout(15_000),
      )
      .catch(() => undefined);
  ctx.signal.addEventListener('abort', kill, { once: true });
  try {
    const stdout = new CappedText(options.maxOutputBytes);
    const stderr = new CappedText(options.maxOutputBytes);
    let cursor = 0;
    for (;;) {
      const left = options.boundMs - (Date.now() - started);
      const page = await callOp<WaitPage>(
        deps,
        ctx,
        'process.wait',
        { processId: process.id, cursor, timeoutMs: Math.max(0, left) },
        sandboxId,
      );
      for (const line of page.lines) (line.stream === 'stderr' ? stderr : stdout).push(line.text);
      cursor = page.cursor;
      const durationMs = Date.now() - started;
      if (page.done) {
        return {
          stdout: stdout.text,
          stderr: stderr.text,
          exitCode: page.process.timedOut ? null : page.process.exitCode,
          timedOut: page.process.timedOut,
          truncated: stdout.cut || stderr.cut,
          durationMs,
          processId: process.id,
        };
      }
      if (left <= 0) {
        return {
          running: true,
          processId: process.id,
          cursor,
          stdout: stdout.text,
          stderr: stderr.text,
          truncated: stdout.cut || stderr.cut,
          durationMs,
        };
      }
    }
  } finally {
    ctx.signal.removeEventListener('abort', kill);
  }
}

/** What a model reads when a command comes back as a handle. */
export function handleNote(handle: ExecHandle, sandboxId: string | undefined): string {
  const where = sandboxId ? `sandbox_id: "${sandboxId}", ` : '';
  return (
    `Still running after ${Math.round(handle.durationMs / 1000)} s as process ${handle.processId}. ` +
    `Continue with process_wait {${where}process_id: "${handle.processId}", cursor: ${handle.cursor}} ` +
    '(it returns new output and, once it ends, the exit code); stop it with process_kill.'
  );
}
