import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import {
  closeMcp,
  connectMcpHttp,
  RawMcpHttp,
  readSse,
  startTestGateway,
  structuredOf,
  waitFor,
  type TestGateway,
} from '@sandboxed/testing';
import { RawMcpSse } from '../support/raw-mcp-sse.client.js';
import { shortLivedToken, type ShortLivedToken as Token } from '../support/short-lived.token.js';

const SECRET = 'mcp-expiry-secret-that-is-at-least-32-bytes!';
/** Timers may fire a hair before the wall clock agrees; nothing may end earlier than this. */
const SLACK_MS = 50;
const ping = (id: number) => ({ jsonrpc: '2.0', id, method: 'ping' });

const token = (sub: string, lifetimeSeconds: number): Promise<Token> => shortLivedToken(SECRET, sub, lifetimeSeconds);

/** A command that records its pid, then waits far longer than any token here lives. */
const longCommand = (name: string): string => `echo $$ > /workspace/${name}.pid; echo started; exec sleep 300`;

/** The typed error a failed tool result carries. */
const errorOf = (result: unknown): unknown => (result as CallToolResult)._meta?.['sandboxed/error'];

const EXPIRED = { code: 'unauthorized', message: expect.stringMatching(/expired/) };

describe('MCP sessions end when the token expires (issue 8, item 7)', () => {
  let gw: TestGateway;
  let owner: Client;
  let sandboxId: string;
  let mcpUrl: string;

  /** Polls (with a long-lived session) until the command that wrote `<name>.pid` is no longer running. */
  const expectKilled = async (name: string): Promise<void> => {
    await waitFor(
      async () => {
        const r = await owner.callTool({
          name: 'shell_exec',
          arguments: {
            sandbox_id: sandboxId,
            command: `test -s /workspace/${name}.pid && { kill -0 "$(cat /workspace/${name}.pid)" 2>/dev/null && echo alive || echo gone; }`,
          },
        });
        return structuredOf<{ stdout: string }>(r).stdout === 'gone\n';
      },
      { what: `the command of ${name} to be killed` },
    );
  };

  beforeAll(async () => {
    gw = await startTestGateway({
      onlyPlugins: ['runtime-local', 'capability-shell', 'transport-mcp'],
      config: { auth: { jwt: { secret: SECRET, clockToleranceSeconds: 0 } } },
    });
    mcpUrl = `${gw.url}/mcp/full`;
    owner = await connectMcpHttp(gw.url, 'streamable', { headers: (await token('alice', 600)).bearer });
    sandboxId = structuredOf<{ id: string }>(await owner.callTool({ name: 'sandbox_create', arguments: {} })).id;
  });
  afterAll(async () => {
    await closeMcp(owner);
    await gw?.close();
  });

  it('streamable HTTP (SDK client): a running call ends with an unauthorized result at exp, its command is killed, and the session is gone', async () => {
    const t = await token('alice', 3);
    const client = await connectMcpHttp(gw.url, 'streamable', { headers: t.bearer, profile: 'full' });
    const sessionId = (client.transport as StreamableHTTPClientTransport).sessionId!;
    try {
      const result = await client.callTool({
        name: 'shell_exec_stream',
        arguments: { sandbox_id: sandboxId, command: longCommand('streamable') },
      });
      expect(Date.now()).toBeGreaterThanOrEqual(t.expiresAt - SLACK_MS);
      expect(result.isError).toBe(true);
      expect(errorOf(result)).toMatchObject(EXPIRED);
      await expectKilled('streamable');
      await expect(client.listTools()).rejects.toThrow();
    } finally {
      await client.close();
    }
    // Auth is per request: the expired token is refused on the session ...
    const old = new RawMcpHttp(mcpUrl, t.bearer);
    old.sessionId = sessionId;
    const refused = await old.post(ping(1));
    expect(refused.status).toBe(401);
    expect(refused.messages[0].error.message).toMatch(/expired/i);
    // ... and the session itself ended with it: fresh credentials of the same principal find nothing.
    const fresh = new RawMcpHttp(mcpUrl, (await token('alice', 600)).bearer);
    fresh.sessionId = sessionId;
    expect((await fresh.post(ping(2))).status).toBe(404);
  });

  it('streamable HTTP (raw): each request lives no longer than its own token, and a fresher token keeps the session', async () => {
    const a = await token('alice', 3);
    const b = await token('alice', 600);
    const withA = new RawMcpHttp(mcpUrl, a.bearer);
    expect((await withA.initialize()).status).toBe(200);
    const withB = new RawMcpHttp(mcpUrl, b.bearer);
    withB.sessionId = withA.sessionId;
    expect((await withB.post(ping(1))).status).toBe(200);

    const stream = await fetch(mcpUrl, {
      headers: {
        ...a.bearer,
        accept: 'text/event-stream',
        'mcp-session-id': withA.sessionId!,
        'mcp-protocol-version': '2025-06-18',
      },
    });
    expect(stream.status).toBe(200);
    const streamEnded = (async () => {
      for await (const _event of readSse(stream)) {
        // Nothing is sent on it here; it only has to end.
      }
      return Date.now();
    })();
    const call = await withA.post({
      jsonrpc: '2.0',
      id: 2,
      method: 'tools/call',
      params: { name: 'shell_exec', arguments: { sandbox_id: sandboxId, command: longCommand('raw') } },
    });
    expect(Date.now()).toBeGreaterThanOrEqual(a.expiresAt - SLACK_MS);
    expect(call.status).toBe(200);
    expect(call.messages.at(-1)).toMatchObject({
      id: 2,
      result: { isError: true, _meta: { 'sandboxed/error': EXPIRED } },
    });
    expect(await streamEnded).toBeGreaterThanOrEqual(a.expiresAt - SLACK_MS);
    await expectKilled('raw');

    expect((await withA.post(ping(3))).status).toBe(401);
    const listed = await withB.post({ jsonrpc: '2.0', id: 4, method: 'tools/list' });
    expect(listed.status).toBe(200);
    expect(listed.messages[0].result.tools.length).toBeGreaterThan(0);
  });

  it('legacy SSE: at exp the running call gets an unauthorized result, then the stream ends and the session is gone', async () => {
    const t = await token('alice', 3);
    const sse = await RawMcpSse.open(gw.url, t.bearer, 'full');
    await sse.initialize();
    expect(
      await sse.post({
        jsonrpc: '2.0',
        id: 1,
        method: 'tools/call',
        params: { name: 'shell_exec_stream', arguments: { sandbox_id: sandboxId, command: longCommand('sse') } },
      }),
    ).toBe(202);

    expect(await sse.ended).toBeGreaterThanOrEqual(t.expiresAt - SLACK_MS);
    const reply = sse.messages.find((m) => m.message.id === 1);
    expect(reply?.message).toMatchObject({ result: { isError: true, _meta: { 'sandboxed/error': EXPIRED } } });
    expect(reply!.at).toBeGreaterThanOrEqual(t.expiresAt - SLACK_MS);
    await expectKilled('sse');

    expect(await sse.post(ping(2))).toBe(401);
    expect(await sse.post(ping(3), (await token('alice', 600)).bearer)).toBe(404);
  });
});
