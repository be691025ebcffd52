import { InvalidArgumentError } from './errors.js';
import { decodeUtf8, type CollectedOutput } from './exec-output.collector.js';
import type { Limits } from './kernel.tokens.js';

/** What a buffered run reports: the same shape for shell.exec, code.run and any plugin that runs a program. */
export interface ExecResult {
  stdout: string;
  stderr: string;
  exitCode: number | null;
  timedOut: boolean;
  truncated: boolean;
  durationMs: number;
}

/** The timeout a request gets: its own, or the default; more than `limits.exec.maxTimeoutMs` is a 400. */
export function execTimeout(requested: number | undefined, limits: Limits['exec']): number {
  const timeoutMs = requested ?? limits.timeoutMs;
  if (timeoutMs > limits.maxTimeoutMs) {
    throw new InvalidArgumentError(`timeoutMs: at most ${limits.maxTimeoutMs} (limits.exec.maxTimeoutMs)`);
  }
  return timeoutMs;
}

/** Turns collected output into the result callers see; `startedAt` is a `performance.now()` reading. */
export function toExecResult(out: CollectedOutput, startedAt: number): ExecResult {
  return {
    stdout: decodeUtf8(out.stdout),
    stderr: decodeUtf8(out.stderr),
    exitCode: out.exit.exitCode,
    timedOut: out.exit.timedOut,
    truncated: out.truncated,
    durationMs: Math.round(performance.now() - startedAt),
  };
}
