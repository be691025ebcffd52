import { collectOutput, type SandboxOperationContext } from '@sandboxed/plugin-sdk';

const CLEANUP_TIMEOUT_MS = 10_000;

/** Removes a run's folder with its own exec (after a kill skipped the script's own clean-up). */
export async function removeCodeDir(ctx: SandboxOperationContext, dir: string): Promise<void> {
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
