import { InvalidArgumentError } from '@sandboxed/plugin-sdk';

/**
 * Sandbox ids become directory names under dataDir, so they are restricted to a safe
 * alphabet: letters, digits, `_` and `-`, not starting with `-`, at most 128 chars.
 * Anything else (`..`, `/`, NUL, dots) can never name a path outside dataDir.
 */
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
