import {
  InvalidArgumentError,
  resolveCommand,
  type ExecRequest,
  type Limits,
  type SandboxInfo,
} from '@sandboxed/plugin-sdk';
import type { ExecInput } from './exec.dto.js';

/** Resolves the command and applies the exec time limits. */
export function buildExecRequest(input: ExecInput, sandbox: SandboxInfo, limits: Limits['exec']): ExecRequest {
  const command = resolveCommand(input, sandbox.workdir);
  const timeoutMs = input.timeoutMs ?? limits.timeoutMs;
  if (timeoutMs > limits.maxTimeoutMs) {
    throw new InvalidArgumentError(`timeoutMs: at most ${limits.maxTimeoutMs} (limits.exec.maxTimeoutMs)`);
  }
  return { ...command, timeoutMs };
}
