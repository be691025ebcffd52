import { InvalidArgumentError } from './errors.js';

/**
 * The alphabet every sandbox id uses: letters, digits, `_` and `-`, not starting with `-`, at most
 * 128 characters. Runtimes turn ids into directory names, container names and labels, so anything
 * else (`..`, `/`, dots, NUL) is refused before it reaches an engine. The kernel makes 32 hex chars.
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
