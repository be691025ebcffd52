import { onCredentialsExpiry, type Principal } from '@sandboxed/plugin-sdk';

/**
 * When an MCP session's credentials run out: the latest expiry among the credentials it was used
 * with. A streamable HTTP session authenticates every request, so a client that refreshes its token
 * keeps its session; a request can move the end later, never earlier. Credentials without expiry lift
 * it. `onExpired` runs once, at the end.
 */
export class SessionDeadline {
  /** Epoch ms; Infinity when the session's credentials do not expire. */
  private at = -Infinity;
  private cancel = (): void => undefined;

  constructor(private readonly onExpired: () => void) {}

  extend(principal: Principal): void {
    const next = principal.expiresAt ?? Infinity;
    if (next <= this.at) return;
    this.cancel();
    this.at = next;
    this.cancel = onCredentialsExpiry(principal, this.onExpired);
  }

  clear(): void {
    this.cancel();
  }
}
