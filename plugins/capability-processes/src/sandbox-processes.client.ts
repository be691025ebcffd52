import { randomBytes } from 'node:crypto';
import {
  collectOutput,
  ConflictError,
  decodeUtf8,
  InvalidArgumentError,
  NotFoundError,
  QuotaExceededError,
  resolveCommand,
  TimeoutError,
  UnavailableError,
  type CollectedOutput,
  type Limits,
  type SandboxOperationContext,
} from '@sandboxed/plugin-sdk';
import { LogOutputParser } from './log-output.parser.js';
import { NO_SUCH_PROCESS, readLogArgv } from './process-log-reader.script.js';
import { killArgv, statusArgv, STDIN_EXIT, stdinCloseArgv, stdinWriteArgv } from './process-control.script.js';
import type { LogLine, LogPage } from './process-logs.dto.js';
import { processRoots } from './process-root.js';
import { parseProcessStates } from './process-state.parser.js';
import { LAUNCH_EXIT, launchArgv } from './process-supervisor.script.js';
import type { ProcessInfo, ProcessStatus, StartProcessInput } from './process.dto.js';
import type { ProcessesOptions } from './process-options.dto.js';

/** Control scripts are quick; this only bounds a wedged sandbox. */
const CONTROL_TIMEOUT_MS = 15_000;
const CONTROL_OUTPUT_BYTES = 4 * 1024 * 1024;
/** Output is only useful live: Python block-buffers stdout into a pipe unless told otherwise. */
const DEFAULT_ENV = { PYTHONUNBUFFERED: '1' };

/** Background processes of one sandbox. All state is read from, and written to, the sandbox. */
export class SandboxProcesses {
  readonly roots: [string, string];

  constructor(
    private readonly ctx: SandboxOperationContext,
    private readonly options: ProcessesOptions,
    private readonly limits: Limits,
  ) {
    this.roots = processRoots(ctx.sandbox.workdir);
  }

  async start(input: StartProcessInput): Promise<ProcessInfo> {
    const { argv, cwd } = resolveCommand(input, this.ctx.sandbox.workdir);
    const id = randomBytes(8).toString('hex');
    const meta = { id, name: input.name ?? null, command: input.command ?? null, argv, cwd };
    const timeoutMs = input.timeoutMs ?? 0;
    if (timeoutMs > this.limits.exec.maxTimeoutMs) {
      throw new InvalidArgumentError(`timeoutMs: at most ${this.limits.exec.maxTimeoutMs} (limits.exec.maxTimeoutMs)`);
    }
    const out = await this.run(launchArgv({ roots: this.roots, id, argv, cwd, timeoutMs, ...this.options }), {
      env: { ...DEFAULT_ENV, ...input.env },
      stdin: `${JSON.stringify(meta)}\n`,
      // The launcher exits once the supervisor runs; the supervisor must outlive it.
      keepBackground: true,
    });
    const code = out.exit.exitCode;
    if (code === LAUNCH_EXIT.limit) {
      throw new QuotaExceededError(`${this.options.maxRunning} processes already run in this sandbox; kill one first`);
    }
    if (code === LAUNCH_EXIT.noCwd) throw new InvalidArgumentError(`cwd: ${cwd} is not a directory in the sandbox`);
    if (code !== 0) throw this.failure('start the process', out);
    const [pid, started] = decodeUtf8(out.stdout).trim().split(/\s+/).map(Number);
    return {
      ...meta,
      pid: Number.isSafeInteger(pid) ? pid! : null,
      status: 'running',
      exitCode: null,
      signal: null,
      timedOut: false,
      startedAt: Number.isSafeInteger(started) ? new Date(started!).toISOString() : null,
      endedAt: null,
      lines: 0,
      firstLine: 0,
    };
  }

  async list(status?: ProcessStatus): Promise<ProcessInfo[]> {
    const out = await this.run(statusArgv(this.roots));
    if (out.exit.exitCode !== 0) throw this.failure('list processes', out);
    const all = parseProcessStates(decodeUtf8(out.stdout)).filter((p) => !status || p.status === status);
    return all.sort((a, b) => (a.startedAt ?? '').localeCompare(b.startedAt ?? '') || a.id.localeCompare(b.id));
  }

  async get(id: string): Promise<ProcessInfo> {
    const out = await this.run(statusArgv(this.roots, [id]));
    if (out.exit.exitCode !== 0) throw this.failure('read the process', out);
    const info = parseProcessStates(decodeUtf8(out.stdout)).find((p) => p.id === id);
    if (!info) throw this.notFound(id);
    return info;
  }

  /** Signals the process group, then waits briefly so the answer usually shows the outcome. */
  async kill(id: string, signal: string): Promise<ProcessInfo> {
    const out = await this.run(killArgv(this.roots, id, signal));
    if (out.exit.exitCode === NO_SUCH_PROCESS) throw this.notFound(id);
    if (out.exit.exitCode !== 0) throw this.failure('signal the process', out);
    const deadline = Date.now() + 2000;
    for (;;) {
      const info = await this.get(id);
      if (info.status !== 'running' || Date.now() > deadline || this.ctx.signal.aborted) return info;
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  async stdin(id: string, data: string | undefined, eof: boolean): Promise<void> {
    if (data) {
      const out = await this.run(stdinWriteArgv(this.roots, id), { stdin: data });
      const code = out.exit.exitCode;
      if (code === NO_SUCH_PROCESS) throw this.notFound(id);
      if (code === STDIN_EXIT.exited) throw new ConflictError(`Process ${id} has ended`);
      if (code === STDIN_EXIT.closed) throw new ConflictError(`The standard input of process ${id} is closed`);
      if (code !== 0) throw this.failure('write to the process', out);
    }
    if (eof) {
      const out = await this.run(stdinCloseArgv(this.roots, id));
      if (out.exit.exitCode === NO_SUCH_PROCESS) throw this.notFound(id);
      if (out.exit.exitCode !== 0) throw this.failure('close the standard input', out);
    }
  }

  async readLogs(id: string, cursor: number, limit: number): Promise<LogPage> {
    const out = await this.run(readLogArgv(this.roots, id, cursor, limit, false), {
      maxOutputBytes: this.limits.exec.maxOutputBytes,
    });
    if (out.exit.exitCode === NO_SUCH_PROCESS) throw this.notFound(id);
    if (out.exit.exitCode !== 0 && !out.truncated) throw this.failure('read the log', out);
    const parser = new LogOutputParser(cursor);
    const lines: LogLine[] = [];
    let dropped = 0;
    let done = false;
    for (const item of parser.push(out.stdout)) {
      if (item.kind === 'line') lines.push({ line: item.line, stream: item.stream, text: item.text });
      else if (item.kind === 'gap') dropped += item.dropped;
      else if (item.kind === 'end') done = true;
    }
    return { lines, cursor: parser.cursor, dropped, done };
  }

  notFound(id: string): NotFoundError {
    return new NotFoundError(`Process ${id} not found in sandbox ${this.ctx.sandbox.id}`);
  }

  private async run(
    argv: string[],
    opts: {
      stdin?: string;
      cwd?: string;
      env?: Record<string, string>;
      maxOutputBytes?: number;
      keepBackground?: boolean;
    } = {},
  ): Promise<CollectedOutput> {
    const session = await this.ctx.runtime.exec(this.ctx.sandbox.id, {
      argv,
      cwd: opts.cwd,
      env: opts.env ?? { LC_ALL: 'C' },
      timeoutMs: CONTROL_TIMEOUT_MS,
      ...(opts.keepBackground ? { keepBackground: true } : {}),
    });
    const out = await collectOutput(session, {
      maxOutputBytes: opts.maxOutputBytes ?? CONTROL_OUTPUT_BYTES,
      signal: this.ctx.signal,
      stdin: opts.stdin,
    });
    if (out.exit.timedOut) throw new TimeoutError('The sandbox did not answer in time');
    return out;
  }

  private failure(what: string, out: CollectedOutput): UnavailableError {
    const detail = decodeUtf8(out.stderr).trim().slice(0, 500);
    return new UnavailableError(
      `Could not ${what} in the sandbox (exit ${out.exit.exitCode})${detail ? `: ${detail}` : ''}`,
    );
  }
}
