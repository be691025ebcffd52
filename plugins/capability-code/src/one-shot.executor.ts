import { execTimeout, type Limits, type OperationContext, type OperationInvoker } from '@sandboxed/plugin-sdk';
import { requireLanguage } from './code-language.resolver.js';
import type { CodeResultOutput, ExecuteCodeInput } from './code.dto.js';
import type { LanguageTemplateMap } from './language-template.map.js';

const DELETE_TIMEOUT_MS = 60_000;
/** Lifetime beyond the run's timeout, so a sandbox orphaned by a gateway crash expires soon. */
const TTL_MARGIN_SECONDS = 300;

/**
 * `code.execute`: create → run → destroy, through the invoker as the caller, so the kernel's
 * quotas, scopes and tenancy apply exactly as if the caller had made the three calls.
 */
export class OneShotExecutor {
  constructor(
    private readonly invoker: OperationInvoker,
    private readonly templates: LanguageTemplateMap,
    private readonly limits: Limits['exec'],
    private readonly sandboxLimits: Limits['sandbox'],
  ) {}

  async execute(ctx: OperationContext, input: ExecuteCodeInput): Promise<CodeResultOutput> {
    const language = requireLanguage(input.language);
    const timeoutMs = execTimeout(input.timeoutMs, this.limits);
    const sandboxId = await this.create(ctx, this.templates.templateFor(language), language.id, timeoutMs);
    try {
      const run = {
        language: language.id,
        code: input.code,
        timeoutMs,
        ...(input.stdin === undefined ? {} : { stdin: input.stdin }),
      };
      return (await this.invoker.invoke(
        'code.run',
        { sandboxId, input: run },
        ctx.principal,
        ctx.signal,
      )) as CodeResultOutput;
    } finally {
      // Its own signal: a caller that went away still gets its sandbox removed.
      await this.invoker
        .invoke('sandbox.delete', { input: { id: sandboxId } }, ctx.principal, AbortSignal.timeout(DELETE_TIMEOUT_MS))
        .catch((err: Error) =>
          ctx.logger.warn(`could not destroy one-shot sandbox ${sandboxId} (its TTL will): ${err.message}`),
        );
    }
  }

  private async create(ctx: OperationContext, template: string, language: string, timeoutMs: number): Promise<string> {
    // Short-lived: the run's timeout plus a margin, within what the gateway allows.
    const ttlSeconds = Math.min(Math.ceil(timeoutMs / 1000) + TTL_MARGIN_SECONDS, this.sandboxLimits.maxTtlSeconds);
    return this.createWith(ctx, { template, labels: { language }, ttlSeconds });
  }

  private async createWith(ctx: OperationContext, input: Record<string, unknown>): Promise<string> {
    const created = (await this.invoker.invoke('sandbox.create', { input }, ctx.principal, ctx.signal)) as {
      id: string;
    };
    return created.id;
  }
}
