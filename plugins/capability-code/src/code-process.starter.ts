import {
  execTimeout,
  UnavailableError,
  type Limits,
  type OperationInvoker,
  type OperationRegistry,
  type SandboxOperationContext,
} from '@sandboxed/plugin-sdk';
import { removeCodeDir } from './code-dir.cleanup.js';
import type { CodeLanguage } from './code-language.table.js';
import { CODE_TMP_ROOT, planCodeRun, withStderrInStdout } from './code-run.plan.js';
import type { CodeProcessOutput } from './code.dto.js';
import type { CodeRunRequest } from './code.runner.js';
import { sourceArchive } from './source-archive.builder.js';

interface StartedProcess {
  id: string;
  status: 'running' | 'exited' | 'killed';
  startedAt: string | null;
}

/**
 * Starts code as code.run would run it, but as a background process (process.start, through the invoker, as
 * the caller): the same files, script and timeout, and the process supervisor's status and logs, so a caller
 * can follow a long program with process.wait instead of holding one request open.
 */
export class CodeProcessStarter {
  constructor(
    private readonly invoker: OperationInvoker,
    private readonly registry: OperationRegistry,
    private readonly limits: Limits['exec'],
  ) {}

  async start(ctx: SandboxOperationContext, language: CodeLanguage, req: CodeRunRequest): Promise<CodeProcessOutput> {
    if (!this.registry.get('process.start') || !this.registry.get('process.stdin')) {
      throw new UnavailableError('code.start needs capability-processes, which this gateway does not load');
    }
    const timeoutMs = execTimeout(req.timeoutMs, this.limits);
    const planned = planCodeRun(language, req.code);
    const plan = req.mergeStderr ? withStderrInStdout(planned) : planned;
    await ctx.runtime.putArchive(ctx.sandbox.id, CODE_TMP_ROOT, sourceArchive(plan));
    let started: StartedProcess;
    try {
      started = (await this.invoker.invoke(
        'process.start',
        {
          sandboxId: ctx.sandbox.id,
          input: { argv: plan.argv, env: plan.env, timeoutMs, name: `code-${language.id}` },
        },
        ctx.principal,
        ctx.signal,
      )) as StartedProcess;
    } catch (err) {
      await removeCodeDir(ctx, plan.dir);
      throw err;
    }
    await this.invoker
      .invoke(
        'process.stdin',
        {
          sandboxId: ctx.sandbox.id,
          input: { processId: started.id, ...(req.stdin ? { data: req.stdin } : {}), eof: true },
        },
        ctx.principal,
        ctx.signal,
      )
      .catch((err: { code?: string }) => {
        if (err.code !== 'conflict') throw err; // conflict: it has already ended
      });
    return { processId: started.id, status: started.status, startedAt: started.startedAt, language: language.id };
  }
}
