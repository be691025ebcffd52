import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { AuthInfo } from '@modelcontextprotocol/sdk/server/auth/types.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { isInitializeRequest, JSONRPCMessageSchema } from '@modelcontextprotocol/sdk/types.js';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { onCredentialsExpiry, type Principal } from '@sandboxed/plugin-sdk';
import { ErrorCode } from './json-rpc.error-codes.js';
import { authInfoFor, principalFromAuthInfo } from './auth-info.js';
import { McpHttpGuard } from './http-caller.guard.js';
import { batchRefusal, negotiatedVersion } from './json-rpc-batch.policy.js';
import { McpHttpError, parseJsonBody, requestIdOf } from './json-rpc.http-error.js';
import { McpServerFactory } from './mcp-server.factory.js';
import { RunningToolCalls } from './running-tool-calls.js';
import { McpSessionStore, type McpSession } from './session.store.js';
import { McpToolCatalog } from './tool.catalog.js';
import type { ToolSet } from './tool.set.js';

const isInitialize = (body: unknown): boolean =>
  Array.isArray(body) ? body.some(isInitializeRequest) : isInitializeRequest(body);
const isMessage = (m: unknown): boolean => JSONRPCMessageSchema.safeParse(m).success;
const isJsonRpc = (body: unknown): boolean =>
  Array.isArray(body) ? body.length > 0 && body.every(isMessage) : isMessage(body);

/** `/mcp` and `/mcp/<profile>`: MCP streamable HTTP, one SDK transport and Server per session. */
export class StreamableHttpHandler {
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
    if (req.method === 'POST' && !isJsonRpc(body)) {
      throw new McpHttpError(
        400,
        ErrorCode.InvalidRequest,
        'Invalid Request: not a JSON-RPC 2.0 message',
        {},
        requestIdOf(body),
      );
    }
    const sessionId = req.headers['mcp-session-id'];
    let session: McpSession | undefined;
    let transport: StreamableHTTPServerTransport;
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
      transport = session.server.transport as StreamableHTTPServerTransport;
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
    await transport.handleRequest(req.raw, reply.raw, body);
    // An initialize the transport refused (bad Accept header, say) leaves nothing worth keeping.
    if (!session && !transport.sessionId) await transport.close();
  }

  private async open(
    tools: ToolSet,
    principal: Principal,
    profile: string,
    protocolVersion: string,
  ): Promise<StreamableHTTPServerTransport> {
    const calls = new RunningToolCalls();
    const server = this.factory.create(tools, principalFromAuthInfo, calls);
    const transport = new StreamableHTTPServerTransport({
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
