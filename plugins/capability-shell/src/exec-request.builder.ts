import { execTimeout, resolveCommand, type ExecRequest, type Limits, type SandboxInfo } from '@sandboxed/plugin-sdk';
import type { ExecInput } from './exec.dto.js';

/** Resolves the command and applies the exec time limits. */
export function buildExecRequest(input: ExecInput, sandbox: SandboxInfo, limits: Limits['exec']): ExecRequest {
  const command = resolveCommand(input, sandbox.workdir);
  return { ...command, timeoutMs: execTimeout(input.timeoutMs, limits) };
}
