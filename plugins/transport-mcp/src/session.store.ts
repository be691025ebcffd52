import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import type { Server } from '@modelcontextprotocol/server';
import type { Principal } from '@sandboxed/plugin-sdk';
import { ErrorCode } from './json-rpc.error-codes.js';
import { McpHttpError } from './json-rpc.http-error.js';
import { MCP_OPTIONS } from './mcp.tokens.js';
import type { ResolvedMcpOptions } from './mcp-options.dto.js';
import type { RunningToolCalls } from './running-tool-calls.js';
import { SessionDeadline } from './session.deadline.js';

export interface McpSession {
  id: string;
  kind: 'streamable' | 'sse';
  /** The principal that opened it; every later request must be the same principal. */
  principalId: string;
  profile: string;
  server: Server;
  /** The tool calls its server is running, ended first when the session's credentials expire. */
  calls: RunningToolCalls;
  /** The protocol version the session negotiated at initialize, once known. */
  protocolVersion?: string;
  lastSeen: number;
}

/**
 * Live HTTP sessions (streamable and SSE): capped in number, closed when idle, when their credentials
 * expire (plus the clock tolerance) and at shutdown.
 */
@Injectable()
export class McpSessionStore implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('McpTransport');
  private readonly sessions = new Map<string, McpSession>();
  private readonly deadlines = new Map<string, SessionDeadline>();
  private sweeper?: NodeJS.Timeout;

  constructor(@Inject(MCP_OPTIONS) private readonly options: ResolvedMcpOptions) {}

  onApplicationBootstrap(): void {
    const every = Math.min(60_000, Math.max(1000, this.options.sessionIdleMs / 4));
    this.sweeper = setInterval(() => void this.closeIdle(), every);
    this.sweeper.unref();
  }

  /** Open SSE streams would hold the HTTP server open: end them all before it closes. */
  async onModuleDestroy(): Promise<void> {
    clearInterval(this.sweeper);
    await Promise.all([...this.sessions.values()].map((s) => this.close(s)));
  }

  get size(): number {
    return this.sessions.size;
  }

  /** Refuses a new session once `maxSessions` are open. */
  assertRoom(): void {
    if (this.sessions.size >= this.options.maxSessions) {
      throw new McpHttpError(503, ErrorCode.InvalidRequest, 'Too many MCP sessions; try again later');
    }
  }

  /** Keeps `session`, opened with `principal`'s credentials; it ends when they expire unless `renew` extends it. */
  add(session: McpSession, principal: Principal): void {
    this.sessions.set(session.id, session);
    const deadline = new SessionDeadline(() => void this.expire(session));
    this.deadlines.set(session.id, deadline);
    deadline.extend(principal);
  }

  get(id: string): McpSession | undefined {
    return this.sessions.get(id);
  }

  delete(id: string): void {
    this.sessions.delete(id);
    this.deadlines.get(id)?.clear();
    this.deadlines.delete(id);
  }

  touch(session: McpSession): void {
    session.lastSeen = Date.now();
  }

  /** A request on `session` authenticated as `principal`: the session now lasts at least as long as those credentials. */
  renew(session: McpSession, principal: Principal): void {
    this.touch(session);
    this.deadlines.get(session.id)?.extend(principal);
  }

  /** Closes every session idle for longer than `sessionIdleSeconds`; runs on a timer. */
  async closeIdle(now = Date.now()): Promise<void> {
    for (const s of this.sessions.values()) {
      if (now - s.lastSeen < this.options.sessionIdleMs) continue;
      this.logger.log(`Closing idle MCP session of ${s.principalId}`);
      await this.close(s);
    }
  }

  /** The session's credentials ran out: its running calls answer `unauthorized`, then its streams end. */
  private async expire(session: McpSession): Promise<void> {
    if (this.sessions.get(session.id) !== session) return;
    this.logger.log(`Closing MCP session of ${session.principalId}: its token expired`);
    await session.calls.expireAll();
    await this.close(session);
  }

  private async close(session: McpSession): Promise<void> {
    this.delete(session.id);
    await session.server.close().catch((err: Error) => this.logger.warn(`Closing MCP session failed: ${err.message}`));
  }
}
