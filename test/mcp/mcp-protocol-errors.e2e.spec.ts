import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { EmptyResultSchema } from '@modelcontextprotocol/sdk/types.js';
import {
  closeMcp,
  connectMcpHttp,
  RawMcpHttp,
  startTestGateway,
  type McpHttpTransportKind,
  type TestGateway,
} from '@sandboxed/testing';

const rpc = (id: number, method: string, params?: unknown) => ({
  jsonrpc: '2.0',
  id,
  method,
  ...(params === undefined ? {} : { params }),
});

describe('MCP protocol errors over HTTP', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway({ onlyPlugins: ['runtime-local', 'capability-shell', 'transport-mcp'] });
  });
  afterAll(async () => gw?.close());

  describe('streamable HTTP (raw)', () => {
    let raw: RawMcpHttp;
    beforeAll(async () => {
      raw = new RawMcpHttp(`${gw.url}/mcp`);
      const init = await raw.initialize();
      expect(init.status).toBe(200);
      expect(init.messages[0].result.serverInfo.name).toBe('sandboxed');
      expect(raw.sessionId).toMatch(/^[A-Za-z0-9_-]{40,}$/);
    });

    it('answers malformed JSON with -32700, with or without a session, and keeps serving', async () => {
      const anon = await new RawMcpHttp(`${gw.url}/mcp`).post('{"jsonrpc": "2.0", "id": 1, "method": ');
      expect(anon.status).toBe(400);
      expect(anon.messages[0]).toMatchObject({ jsonrpc: '2.0', id: null, error: { code: -32700 } });
      const inSession = await raw.post('{not json');
      expect(inSession.status).toBe(400);
      expect(inSession.messages[0].error.code).toBe(-32700);
      const list = await raw.post(rpc(2, 'tools/list'));
      expect(list.status).toBe(200);
      expect(list.messages[0].result.tools.length).toBeGreaterThan(0);
    });

    it('answers JSON that is not JSON-RPC with -32600', async () => {
      const res = await raw.post({ hello: 'world' });
      expect(res.status).toBe(400);
      expect(res.messages[0].error.code).toBe(-32600);
    });

    it('answers an unknown method with -32601', async () => {
      const res = await raw.post(rpc(3, 'tools/frobnicate'));
      expect(res.messages[0]).toMatchObject({ id: 3, error: { code: -32601 } });
    });

    it('answers invalid params with -32602 (bad tool arguments are tool results)', async () => {
      const noName = await raw.post(rpc(4, 'tools/call', { arguments: {} }));
      expect(noName.messages[0]).toMatchObject({ id: 4, error: { code: -32602 } });
      const badCursor = await raw.post(rpc(5, 'tools/list', { cursor: 42 }));
      expect(badCursor.messages[0]).toMatchObject({ id: 5, error: { code: -32602 } });
      const argsNotObject = await raw.post(rpc(6, 'tools/call', { name: 'shell_exec', arguments: [1] }));
      expect(argsNotObject.messages[0]).toMatchObject({ id: 6, error: { code: -32602 } });
      // Arguments that fail the tool's schema are a tool result, not a protocol error.
      const badArgs = await raw.post(
        rpc(12, 'tools/call', { name: 'shell_exec', arguments: { sandbox_id: 'x', command: 7 } }),
      );
      expect(badArgs.messages[0]).toMatchObject({
        id: 12,
        result: { isError: true, content: [{ type: 'text', text: expect.stringMatching(/command: must be/) }] },
      });
      const unknownTool = await raw.post(rpc(7, 'tools/call', { name: 'nope', arguments: {} }));
      expect(unknownTool.messages[0]).toMatchObject({
        id: 7,
        error: { code: -32602, message: expect.stringMatching(/Unknown tool: nope/) },
      });
      expect((await raw.post(rpc(8, 'ping'))).messages[0]).toMatchObject({ id: 8, result: {} });
    });

    it('refuses calls before initialize: no session yet', async () => {
      const res = await new RawMcpHttp(`${gw.url}/mcp`).post(rpc(9, 'tools/list'));
      expect(res.status).toBe(400);
      expect(res.messages[0]).toMatchObject({
        id: 9,
        error: { code: -32600, message: expect.stringMatching(/initialize/) },
      });
    });

    it('answers an unknown session with 404 and ends a session on DELETE', async () => {
      const stranger = new RawMcpHttp(`${gw.url}/mcp`);
      stranger.sessionId = 'not-a-session';
      const res = await stranger.post(rpc(10, 'tools/list'));
      expect(res.status).toBe(404);
      expect(res.messages[0]).toMatchObject({ id: 10, error: { code: -32001 } });

      const temp = new RawMcpHttp(`${gw.url}/mcp`);
      await temp.initialize();
      const del = await fetch(`${gw.url}/mcp`, { method: 'DELETE', headers: { 'mcp-session-id': temp.sessionId! } });
      expect(del.status).toBe(200);
      expect((await temp.post(rpc(11, 'tools/list'))).status).toBe(404);
    });

    it('refuses a foreign Origin with 403', async () => {
      const res = await new RawMcpHttp(`${gw.url}/mcp`, { origin: 'https://evil.example' }).initialize();
      expect(res.status).toBe(403);
      expect(res.messages[0].error.message).toMatch(/Origin/);
      expect((await new RawMcpHttp(`${gw.url}/mcp`, { origin: gw.url }).initialize()).status).toBe(200);
    });
  });

  describe('legacy SSE (raw)', () => {
    it('answers malformed JSON on /messages with -32700 and keeps the session', async () => {
      const ctl = new AbortController();
      const stream = await fetch(`${gw.url}/sse`, { headers: { accept: 'text/event-stream' }, signal: ctl.signal });
      expect(stream.status).toBe(200);
      const reader = stream.body!.getReader();
      const first = new TextDecoder().decode((await reader.read()).value);
      const endpoint = /event: endpoint\ndata: (\S+)/.exec(first)![1];
      expect(endpoint).toMatch(/^\/messages\?sessionId=/);
      const post = (body: string) =>
        fetch(`${gw.url}${endpoint}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
      const bad = await post('{oops');
      expect(bad.status).toBe(400);
      expect(await bad.json()).toMatchObject({ error: { code: -32700 } });
      const notRpc = await post('{"x":1}');
      expect(notRpc.status).toBe(400);
      expect(await notRpc.json()).toMatchObject({ error: { code: -32600 } });
      expect((await post(JSON.stringify(rpc(1, 'ping')))).status).toBe(202);
      const unknown = await fetch(`${gw.url}/messages?sessionId=nope`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(rpc(2, 'ping')),
      });
      expect(unknown.status).toBe(404);
      ctl.abort();
    });
  });

  describe.each<McpHttpTransportKind>(['streamable', 'sse'])('through the SDK client over %s', (kind) => {
    let client: Client;
    beforeAll(async () => {
      client = await connectMcpHttp(gw.url, kind);
    });
    afterAll(async () => closeMcp(client));

    it('gets -32601 for an unknown method and keeps serving', async () => {
      await expect(client.request({ method: 'resources/list', params: {} }, EmptyResultSchema)).rejects.toMatchObject({
        code: -32601,
      });
      await expect(client.ping()).resolves.toEqual({});
      expect((await client.listTools()).tools.length).toBeGreaterThan(0);
    });
  });
});

describe('MCP sessions at shutdown', () => {
  it('ends open SSE streams so the gateway closes promptly', async () => {
    const gw = await startTestGateway({ onlyPlugins: ['runtime-local', 'capability-shell', 'transport-mcp'] });
    const sse = await fetch(`${gw.url}/sse`, { headers: { accept: 'text/event-stream' } });
    const raw = new RawMcpHttp(`${gw.url}/mcp`);
    await raw.initialize();
    const standalone = await fetch(`${gw.url}/mcp`, {
      headers: { accept: 'text/event-stream', 'mcp-session-id': raw.sessionId!, 'mcp-protocol-version': '2025-06-18' },
    });
    expect([sse.status, standalone.status]).toEqual([200, 200]);
    const drained = Promise.all([sse.text(), standalone.text()]);
    const started = Date.now();
    await gw.close();
    await drained;
    expect(Date.now() - started).toBeLessThan(5000);
  }, 30_000);
});
