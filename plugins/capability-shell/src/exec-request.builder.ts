import { posix } from 'node:path';
import { InvalidArgumentError, type ExecRequest, type Limits, type SandboxInfo } from '@sandboxed/plugin-sdk';
import type { ExecInput } from './exec.dto.js';

const ENV_KEY = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Validates the parts of an exec request that DTO decorators cannot express, and applies limits. */
export function buildExecRequest(input: ExecInput, sandbox: SandboxInfo, limits: Limits['exec']): ExecRequest {
  if ((input.command === undefined) === (input.argv === undefined)) {
    throw new InvalidArgumentError('Give exactly one of `command` (a shell string) or `argv` (a list)');
  }
  for (const [k, v] of Object.entries(input.env ?? {})) {
    if (!ENV_KEY.test(k)) throw new InvalidArgumentError(`env: "${k}" is not a valid variable name`);
    if (typeof v !== 'string') throw new InvalidArgumentError(`env.${k}: must be a string`);
  }
  const timeoutMs = input.timeoutMs ?? limits.timeoutMs;
  if (timeoutMs > limits.maxTimeoutMs) {
    throw new InvalidArgumentError(`timeoutMs: at most ${limits.maxTimeoutMs} (limits.exec.maxTimeoutMs)`);
  }
  return {
    argv: input.argv ?? ['/bin/sh', '-c', input.command!],
    cwd: input.cwd ? posix.resolve(sandbox.workdir, input.cwd) : sandbox.workdir,
    env: input.env,
    timeoutMs,
  };
}
