import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import {
  NodeStreamableHTTPServerTransport,
  toNodeHandler,
  type NodeIncomingMessageLike,
} from '@modelcontextprotocol/node';
import {
  createMcpHandler,
  isInitializeRequest,
  isLegacyRequest,
  type AuthInfo,
  type McpHttpHandler,
} from '@modelcontextprotocol/server';
import { Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { onCredentialsExpiry, type Principal } from '@sandboxed/plugin-sdk';
import { ErrorCode } from './json-rpc.error-codes.js';
import { authInfoFor, principalFromAuthInfo } from './auth-info.js';
import { McpHttpGuard } from './http-caller.guard.js';
import { batchRefusal, negotiatedVersion } from './json-rpc-batch.policy.js';
import { isJsonRpcBody } from './json-rpc-message.check.js';
import { McpHttpError, parseJsonBody, requestIdOf } from './json-rpc.http-error.js';
import { McpServerFactory } from './mcp-server.factory.js';
import { RunningToolCalls } from './running-tool-calls.js';
import { McpSessionStore, type McpSession } from './session.store.js';
import { cancelOnStreamClose } from './stream-close.cancel.js';
import { McpToolCatalog } from './tool.catalog.js';
import type { ToolSet } from './tool.set.js';

const isInitialize = (body: unknown): boolean =>
  Array.isArray(body) ? body.some(isInitializeRequest) : isInitializeRequest(body);

/** The request line and headers, all the SDK's classifier reads next to an already parsed body. */
const headersOnly = (req: FastifyRequest): Request =>
  new Request(new URL(req.url, 'http://mcp.invalid'), {
    method: req.method,
    headers: Object.entries(req.headers).flatMap(([k, v]) =>
      v === undefined ? [] : (Array.isArray(v) ? v : [String(v)]).map((x): [string, string] => [k, x]),
    ),
  });

/**
 * The request as the SDK's Node adapter reads it, with the body bytes Fastify already read (the Node stream is
 * drained). Passing the text, not the parsed body, spares the adapter a JSON.stringify that deep bodies overflow.
 */
const withRawBody = (req: FastifyRequest, auth: AuthInfo): NodeIncomingMessageLike => ({
  method: req.method,
  url: req.url,
  headers: req.headers,
  auth,
  async *[Symbol.asyncIterator]() {
    if (typeof req.body === 'string') yield Buffer.from(req.body);
  },
});

/** What a 2026-07-28 request hands its per-request Server, riding the SDK's pass-through `authInfo`. */
interface ModernRequestInfo {
  principal: Principal;
  tools: ToolSet;
}

const toolsOf = (authInfo: AuthInfo | undefined): ToolSet => {
  const tools = (authInfo?.extra as Partial<ModernRequestInfo> | undefined)?.tools;
  if (!tools) throw new Error('MCP request without its endpoint');
  return tools;
};

/**
 * `/mcp` and `/mcp/<profile>`: MCP streamable HTTP in both protocol eras, chosen per request by the SDK's own
 * classifier (`isLegacyRequest`). 2026-07-28 requests (the `_meta` envelope) go to the SDK's stateless entry,
 * one Server per request; 2025-era traffic (initialize, `Mcp-Session-Id`, GET and DELETE) to sessions, one SDK
 * transport and Server per session.
 */
export class StreamableHttpHandler {
  private readonly logger = new Logger('McpTransport');
  /** The SDK's stateless entry for 2026-07-28; `legacy: 'reject'` because 2025-era traffic has sessions here. */
  private readonly modern: McpHttpHandler = createMcpHandler(
    ({ era, authInfo }) => this.factory.create(toolsOf(authInfo), principalFromAuthInfo, new RunningToolCalls(), era),
    { legacy: 'reject', onerror: (err) => this.logger.debug(`MCP 2026-07-28 request: ${err.message}`) },
  );
  private readonly serveModern = toNodeHandler(this.modern);

  constructor(
    private readonly guard: McpHttpGuard,
    private readonly store: McpSessionStore,
    private readonly catalog: McpToolCatalog,
    private readonly factory: McpServerFactory,
  ) {}

  async handle(req: FastifyRequest, reply: FastifyReply, profile: string): Promise<void> {
    const tools = this.catalog.toolSet(profile);
    if (!tools) throw new McpHttpError(404, ErrorCode.InvalidRequest, `No MCP profile named "${profile}"`);
    const principal = await this.guard.admit(req);
    const body = req.method === 'POST' ? parseJsonBody(req.body) : undefined;
    if (req.method === 'POST' && !isJsonRpcBody(body)) {
      throw new McpHttpError(
        400,
        ErrorCode.InvalidRequest,
        'Invalid Request: not a JSON-RPC 2.0 message',
        {},
        requestIdOf(body),
      );
    }
    if (req.method === 'POST' && !(await isLegacyRequest(headersOnly(req), body))) {
      reply.hijack();
      const auth = authInfoFor(principal);
      auth.extra = { principal, tools } satisfies ModernRequestInfo;
      await this.serveModern(withRawBody(req, auth), reply.raw);
      return;
    }
    const sessionId = req.headers['mcp-session-id'];
    let session: McpSession | undefined;
    let transport: NodeStreamableHTTPServerTransport;
    if (typeof sessionId === 'string') {
      session = this.store.get(sessionId);
      // Another principal's session looks exactly like a missing one.
      if (
        !session ||
        session.kind !== 'streamable' ||
        session.profile !== profile ||
        session.principalId !== principal.id
      ) {
        throw new McpHttpError(404, -32001, 'Session not found', {}, requestIdOf(body));
      }
      const refusal = batchRefusal(body, session.protocolVersion, 'this session');
      if (refusal) throw refusal;
      transport = session.server.transport as NodeStreamableHTTPServerTransport;
    } else if (req.method === 'POST' && isInitialize(body)) {
      const refusal = batchRefusal(body, undefined, 'initialize');
      if (refusal) throw refusal;
      this.store.assertRoom();
      transport = await this.open(tools, principal, profile, negotiatedVersion(body));
    } else {
      throw new McpHttpError(
        400,
        ErrorCode.InvalidRequest,
        'Server not initialized: send an initialize request first, then the Mcp-Session-Id header it returns',
        {},
        requestIdOf(body),
      );
    }
    (req.raw as IncomingMessage & { auth?: AuthInfo }).auth = authInfoFor(principal);
    reply.hijack();
    if (session) {
      const s = session;
      this.store.renew(s, principal);
      reply.raw.once('close', () => this.store.touch(s));
      // The GET stream lives no longer than the token that opened it, even when the session does.
      if (req.method === 'GET') {
        const cancel = onCredentialsExpiry(principal, () => transport.closeStandaloneSSEStream());
        reply.raw.once('close', cancel);
      }
    }
    if (session) cancelOnStreamClose(transport, reply.raw, body);
    await transport.handleRequest(req.raw, reply.raw, body);
    // An initialize the transport refused (bad Accept header, say) leaves nothing worth keeping.
    if (!session && !transport.sessionId) await transport.close();
  }

  /** Ends the 2026-07-28 requests in flight (their streams would hold the HTTP server open). */
  async close(): Promise<void> {
    await this.modern.close();
  }

  private async open(
    tools: ToolSet,
    principal: Principal,
    profile: string,
    protocolVersion: string,
  ): Promise<NodeStreamableHTTPServerTransport> {
    const calls = new RunningToolCalls();
    const server = this.factory.create(tools, principalFromAuthInfo, calls);
    const transport = new NodeStreamableHTTPServerTransport({
      sessionIdGenerator: () => randomBytes(32).toString('base64url'),
      onsessioninitialized: (id) =>
        this.store.add(
          {
            id,
            kind: 'streamable',
            principalId: principal.id,
            profile,
            server,
            calls,
            protocolVersion,
            lastSeen: Date.now(),
          },
          principal,
        ),
    });
    // Set before connect(): the Server chains its own close handling after it.
    transport.onclose = () => {
      if (transport.sessionId) this.store.delete(transport.sessionId);
    };
    await server.connect(transport);
    return transport;
  }
}
