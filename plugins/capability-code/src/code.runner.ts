import {
  collectOutput,
  decodeUtf8,
  InvalidArgumentError,
  SandboxedError,
  type Limits,
  type SandboxOperationContext,
} from '@sandboxed/plugin-sdk';
import type { CodeLanguage } from './code-language.table.js';
import { CODE_TMP_ROOT, planCodeRun, type CodeRunPlan } from './code-run.plan.js';
import type { CodeResultOutput } from './code.dto.js';
import { sourceArchive } from './source-archive.builder.js';

const CLEANUP_TIMEOUT_MS = 10_000;

export interface CodeRunRequest {
  code: string;
  timeoutMs?: number;
  stdin?: string;
}

/** The timeout a request gets: its own (at most limits.exec.maxTimeoutMs) or the default. */
export function effectiveTimeout(requested: number | undefined, limits: Limits['exec']): number {
  const timeoutMs = requested ?? limits.timeoutMs;
  if (timeoutMs > limits.maxTimeoutMs) {
    throw new InvalidArgumentError(`timeoutMs: at most ${limits.maxTimeoutMs} (limits.exec.maxTimeoutMs)`);
  }
  return timeoutMs;
}

/**
 * Runs code in a sandbox: the source goes in through putArchive (never a host path), one exec
 * compiles, runs and removes it, and a kill (timeout, disconnect) is followed by a separate cleanup.
 */
export class CodeRunner {
  constructor(private readonly limits: Limits['exec']) {}

  async run(ctx: SandboxOperationContext, language: CodeLanguage, req: CodeRunRequest): Promise<CodeResultOutput> {
    const timeoutMs = effectiveTimeout(req.timeoutMs, this.limits);
    const started = performance.now();
    const { runtime, sandbox } = ctx;
    const plan = await this.upload(ctx, language, req.code);
    let scriptCleanedUp = false;
    try {
      const session = await runtime.exec(sandbox.id, {
        argv: plan.argv,
        cwd: sandbox.workdir,
        env: plan.env,
        timeoutMs,
      });
      // collectOutput only hears aborts that happen after it starts.
      if (ctx.signal.aborted) await session.kill();
      const out = await collectOutput(session, {
        maxOutputBytes: this.limits.maxOutputBytes,
        signal: ctx.signal,
        stdin: req.stdin,
      });
      scriptCleanedUp = !out.exit.timedOut && out.exit.signal === null && !ctx.signal.aborted;
      return {
        stdout: decodeUtf8(out.stdout),
        stderr: decodeUtf8(out.stderr),
        exitCode: out.exit.exitCode,
        timedOut: out.exit.timedOut,
        truncated: out.truncated,
        durationMs: Math.round(performance.now() - started),
        language: language.id,
      };
    } finally {
      if (!scriptCleanedUp) await this.removeDir(ctx, plan.dir);
    }
  }

  /**
   * Puts the source into a fresh folder under /tmp, or under the workspace when the sandbox's
   * /tmp is not writable (a custom image, or a runtime that mounts it read-only).
   */
  private async upload(ctx: SandboxOperationContext, language: CodeLanguage, code: string): Promise<CodeRunPlan> {
    const inTmp = planCodeRun(language, code, CODE_TMP_ROOT);
    try {
      await ctx.runtime.putArchive(ctx.sandbox.id, CODE_TMP_ROOT, sourceArchive(inTmp));
      return inTmp;
    } catch (err) {
      if (!(err instanceof SandboxedError) || err.status === 404) throw err;
      const inWorkdir = planCodeRun(language, code, ctx.sandbox.workdir);
      await ctx.runtime.putArchive(ctx.sandbox.id, ctx.sandbox.workdir, sourceArchive(inWorkdir));
      return inWorkdir;
    }
  }

  private async removeDir(ctx: SandboxOperationContext, dir: string): Promise<void> {
    try {
      const session = await ctx.runtime.exec(ctx.sandbox.id, {
        argv: ['rm', '-rf', '--', dir],
        timeoutMs: CLEANUP_TIMEOUT_MS,
      });
      await collectOutput(session, { maxOutputBytes: 4096 });
    } catch (err) {
      ctx.logger.warn(`could not remove ${dir}: ${(err as Error).message}`, { sandbox: ctx.sandbox.id });
    }
  }
}
