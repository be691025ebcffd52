import { InvalidArgumentError } from '@sandboxed/plugin-sdk';

/** Ids become container names (`sandboxed-<id>`), so only Docker's name alphabet minus `.` is allowed. */
const SAFE_ID = /^[A-Za-z0-9_][A-Za-z0-9_-]{0,127}$/;

export function isValidSandboxId(id: unknown): id is string {
  return typeof id === 'string' && SAFE_ID.test(id);
}

export function assertValidSandboxId(id: unknown): asserts id is string {
  if (!isValidSandboxId(id)) {
    throw new InvalidArgumentError('Invalid sandbox id: only letters, digits, "_" and "-" are allowed', {
      id: typeof id === 'string' ? id.slice(0, 200) : typeof id,
    });
  }
}
