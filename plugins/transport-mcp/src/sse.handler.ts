import type { IncomingMessage } from 'node:http';
import type { AuthInfo } from '@modelcontextprotocol/server';
import { SSEServerTransport } from '@modelcontextprotocol/server-legacy/sse';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ErrorCode } from './json-rpc.error-codes.js';
import { authInfoFor, principalFromAuthInfo } from './auth-info.js';
import { McpHttpGuard } from './http-caller.guard.js';
import { batchRefusal } from './json-rpc-batch.policy.js';
import { isJsonRpcMessage } from './json-rpc-message.check.js';
import { McpHttpError, parseJsonBody, requestIdOf } from './json-rpc.http-error.js';
import { McpServerFactory } from './mcp-server.factory.js';
import { RunningToolCalls } from './running-tool-calls.js';
import { McpSessionStore } from './session.store.js';
import { SSE_MESSAGES_PATH } from './sse-messages.path.js';
import { McpToolCatalog } from './tool.catalog.js';

const HEARTBEAT_MS = 15_000;

/** The legacy HTTP+SSE transport: `GET /sse[/<profile>]` opens the stream, `POST /messages?sessionId=` carries requests. */
export class SseHandler {
  constructor(
    private readonly guard: McpHttpGuard,
    private readonly store: McpSessionStore,
    private readonly catalog: McpToolCatalog,
    private readonly factory: McpServerFactory,
  ) {}

  async open(req: FastifyRequest, reply: FastifyReply, profile: string): Promise<void> {
    const tools = this.catalog.toolSet(profile);
    if (!tools) throw new McpHttpError(404, ErrorCode.InvalidRequest, `No MCP profile named "${profile}"`);
    const principal = await this.guard.admit(req);
    this.store.assertRoom();
    reply.hijack();
    const res = reply.raw;
    const transport = new SSEServerTransport(SSE_MESSAGES_PATH, res);
    const calls = new RunningToolCalls();
    const server = this.factory.create(tools, principalFromAuthInfo, calls);
    const id = transport.sessionId;
    transport.onclose = () => this.store.delete(id);
    // The stream is the session: it ends when the token that opened it expires (posts cannot extend it).
    this.store.add(
      { id, kind: 'sse', principalId: principal.id, profile, server, calls, lastSeen: Date.now() },
      principal,
    );
    await server.connect(transport);
    const heartbeat = setInterval(() => {
      if (!res.writableEnded) res.write(': ping\n\n');
    }, HEARTBEAT_MS);
    heartbeat.unref();
    res.once('close', () => clearInterval(heartbeat));
  }

  async message(req: FastifyRequest, reply: FastifyReply): Promise<void> {
    const principal = await this.guard.admit(req);
    const sessionId = (req.query as { sessionId?: string } | undefined)?.sessionId;
    const session = sessionId ? this.store.get(sessionId) : undefined;
    if (!session || session.kind !== 'sse' || session.principalId !== principal.id) {
      throw new McpHttpError(
        404,
        -32001,
        'Session not found: open GET /sse first and post to the endpoint it announces',
      );
    }
    const body = parseJsonBody(req.body);
    // The SDK's SSE transport takes one message per POST, whatever version the session speaks.
    const refusal = batchRefusal(body, undefined, 'the HTTP+SSE transport');
    if (refusal) throw refusal;
    if (!isJsonRpcMessage(body)) {
      throw new McpHttpError(
        400,
        ErrorCode.InvalidRequest,
        'Invalid Request: not a JSON-RPC 2.0 message',
        {},
        requestIdOf(body),
      );
    }
    (req.raw as IncomingMessage & { auth?: AuthInfo }).auth = authInfoFor(principal);
    this.store.touch(session);
    reply.hijack();
    await (session.server.transport as SSEServerTransport).handlePostMessage(req.raw, reply.raw, body);
  }
}
