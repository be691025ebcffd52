import { collectOutput, TimeoutError } from '@sandboxed/plugin-sdk';
import type { CollectedOutput, ExecBuiltin, ExecSession, Limits, SandboxOperationContext } from '@sandboxed/plugin-sdk';
import { commandError } from './command-error.mapper.js';

export interface RunOptions {
  stdin?: Buffer | string;
  /** Cap per output stream; small by default since most commands print little. */
  maxOutputBytes?: number;
  /** Default `limits.files.timeoutMs`: no files command may hang (a FIFO opened by a race, a slow disk). */
  timeoutMs?: number;
  env?: Record<string, string>;
  /** The sandbox agent's built-in that does exactly what argv does; it answers where an agent runs. */
  builtin?: ExecBuiltin;
  /** Clean-up that must finish even after the caller went away (its abort would kill the command). */
  outlivesCaller?: boolean;
}

export interface ScriptOptions extends Omit<RunOptions, 'builtin'> {
  /** The agent built-in that does what the script does, given the script's arguments. */
  builtin?: string;
}

const DEFAULT_MAX_OUTPUT = 64 * 1024;

/** Runs argv inside one sandbox, only through the SandboxRuntime interface. */
export class SandboxShell {
  constructor(
    readonly ctx: SandboxOperationContext,
    readonly limits: Limits,
  ) {}

  get workdir(): string {
    return this.ctx.sandbox.workdir;
  }

  /** Starts a command; the caller owns the session. LC_ALL=C keeps error messages stable for mapping. */
  spawn(argv: string[], opts: RunOptions = {}): Promise<ExecSession> {
    return this.ctx.runtime.exec(this.ctx.sandbox.id, {
      argv,
      env: { LC_ALL: 'C', ...opts.env },
      timeoutMs: opts.timeoutMs ?? this.limits.files.timeoutMs,
      builtin: opts.builtin,
    });
  }

  /** Runs to completion and collects output; the exit code is left to the caller. */
  async run(argv: string[], opts: RunOptions = {}): Promise<CollectedOutput> {
    const session = await this.spawn(argv, opts);
    const out = await collectOutput(session, {
      maxOutputBytes: opts.maxOutputBytes ?? DEFAULT_MAX_OUTPUT,
      signal: opts.outlivesCaller ? undefined : this.ctx.signal,
      stdin: opts.stdin,
    });
    if (out.exit.timedOut) throw new TimeoutError(`'${argv[0]}' in the sandbox timed out`);
    return out;
  }

  /** `sh -c script sh ...args`: user values only ever travel as positional parameters. */
  script(script: string, args: string[], opts: ScriptOptions = {}): Promise<CollectedOutput> {
    const builtin = opts.builtin === undefined ? undefined : { name: opts.builtin, args };
    return this.run(['sh', '-c', script, 'sh', ...args], { ...opts, builtin });
  }

  /** Like `script`, but a non-zero exit becomes a typed error about `subject`. */
  async checkedScript(
    script: string,
    args: string[],
    subject: string,
    opts: ScriptOptions = {},
  ): Promise<CollectedOutput> {
    const out = await this.script(script, args, opts);
    if (out.exit.exitCode !== 0) throw commandError(out, subject);
    return out;
  }
}
