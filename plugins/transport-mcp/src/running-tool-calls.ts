import type { CallToolResult } from '@modelcontextprotocol/server';
import { credentialsExpiredError, onCredentialsExpiry, type Principal } from '@sandboxed/plugin-sdk';
import { toolError } from './tool-result.js';

/**
 * The tool calls running on one MCP connection. A call lives no longer than the credentials of the
 * request that made it: at their expiry its signal aborts (the operation stops, a command is killed)
 * and it answers at once with an `unauthorized` tool error, without waiting for the operation to wind
 * down. Credentials without expiry (API keys, stdio, dev mode) leave calls alone.
 */
export class RunningToolCalls {
  private readonly running = new Set<() => void>();

  async run(
    principal: Principal,
    signal: AbortSignal,
    call: (signal: AbortSignal) => Promise<CallToolResult>,
  ): Promise<CallToolResult> {
    const expiry = new AbortController();
    let expire = (): void => undefined;
    const expired = new Promise<CallToolResult>((resolve) => {
      expire = () => {
        // Settled before the abort, which can make the call itself fail synchronously.
        resolve(toolError(credentialsExpiredError().toJSON()));
        expiry.abort();
      };
    });
    const cancel = onCredentialsExpiry(principal, expire);
    this.running.add(expire);
    try {
      return await Promise.race([call(AbortSignal.any([signal, expiry.signal])), expired]);
    } finally {
      cancel();
      this.running.delete(expire);
    }
  }

  /**
   * Ends every running call as expired (the session's credentials ran out), and resolves once their
   * results have gone to the transport: the SDK hands a handler's result to `send` in promise
   * callbacks only, so one turn of the event loop is enough. Close the transport after this.
   */
  async expireAll(): Promise<void> {
    if (this.running.size === 0) return;
    for (const expire of [...this.running]) expire();
    await new Promise((resolve) => setImmediate(resolve));
  }
}
