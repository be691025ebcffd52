import {
  collectOutput,
  execTimeout,
  toExecResult,
  type Limits,
  type SandboxOperationContext,
} from '@sandboxed/plugin-sdk';
import { removeCodeDir } from './code-dir.cleanup.js';
import type { CodeLanguage } from './code-language.table.js';
import { CODE_TMP_ROOT, planCodeRun, withStderrInStdout } from './code-run.plan.js';
import type { CodeResultOutput } from './code.dto.js';
import { sourceArchive } from './source-archive.builder.js';

export interface CodeRunRequest {
  code: string;
  timeoutMs?: number;
  stdin?: string;
  /** stderr into stdout, in order; stderr is then empty. */
  mergeStderr?: boolean;
}

/** The timeout a request gets: its own (at most limits.exec.maxTimeoutMs) or the default. */
/**
 * Runs code in a sandbox: the source goes in through putArchive (never a host path), one exec
 * compiles, runs and removes it, and a kill (timeout, disconnect) is followed by a separate cleanup.
 */
export class CodeRunner {
  constructor(private readonly limits: Limits['exec']) {}

  async run(ctx: SandboxOperationContext, language: CodeLanguage, req: CodeRunRequest): Promise<CodeResultOutput> {
    const timeoutMs = execTimeout(req.timeoutMs, this.limits);
    const started = performance.now();
    const { runtime, sandbox } = ctx;
    const planned = planCodeRun(language, req.code);
    const plan = req.mergeStderr ? withStderrInStdout(planned) : planned;
    await runtime.putArchive(sandbox.id, CODE_TMP_ROOT, sourceArchive(plan));
    let scriptCleanedUp = false;
    try {
      const session = await runtime.exec(sandbox.id, {
        argv: plan.argv,
        cwd: sandbox.workdir,
        env: plan.env,
        timeoutMs,
      });
      const out = await collectOutput(session, {
        maxOutputBytes: this.limits.maxOutputBytes,
        signal: ctx.signal,
        stdin: req.stdin,
      });
      scriptCleanedUp = !out.exit.timedOut && out.exit.signal === null && !ctx.signal.aborted;
      return { ...toExecResult(out, started), language: language.id };
    } finally {
      if (!scriptCleanedUp) await removeCodeDir(ctx, plan.dir);
    }
  }
}
