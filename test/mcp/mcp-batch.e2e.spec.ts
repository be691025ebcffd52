import { PassThrough } from 'node:stream';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { RawMcpHttp, startTestGateway, waitFor, type TestGateway } from '@sandboxed/testing';
import { McpStdioServer } from '@sandboxed/transport-mcp';

const rpc = (id: number, method: string) => ({ jsonrpc: '2.0', id, method });
const BATCH = [rpc(1, 'ping'), rpc(2, 'ping')];
/** What the spec asks for: HTTP 400 and a JSON-RPC Invalid Request error without an id. */
const REFUSED = { jsonrpc: '2.0', id: null, error: { code: -32600, message: expect.stringMatching(/batch/i) } };

/** The events of an SSE response one at a time, data as text (the endpoint event is no JSON). */
function sseEvents(res: Response): () => Promise<{ event: string; data: string }> {
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let buf = '';
  return async () => {
    for (;;) {
      const end = buf.indexOf('\n\n');
      if (end >= 0) {
        const block = buf.slice(0, end);
        buf = buf.slice(end + 2);
        if (block.startsWith(':')) continue; // a heartbeat
        const field = (name: string) =>
          block
            .split('\n')
            .filter((l) => l.startsWith(`${name}: `))
            .map((l) => l.slice(name.length + 2))
            .join('\n');
        return { event: field('event') || 'message', data: field('data') };
      }
      const { value, done } = await reader.read();
      if (done) throw new Error('the SSE stream ended');
      buf += decoder.decode(value, { stream: true });
    }
  };
}

/**
 * JSON-RPC batching exists only in MCP 2025-03-26: added there, removed again in 2025-06-18.
 * A session that negotiated any other version must get the batch refused, not executed.
 */
describe('MCP JSON-RPC batches', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway({ onlyPlugins: ['runtime-local', 'capability-shell', 'transport-mcp'] });
  });
  afterAll(async () => gw?.close());

  describe('streamable HTTP', () => {
    async function session(version: string): Promise<RawMcpHttp> {
      const raw = new RawMcpHttp(`${gw.url}/mcp`);
      const init = await raw.initialize(version);
      expect(init.status).toBe(200);
      return raw;
    }

    it.each(['2025-06-18', '2025-11-25'])('refuses a batch on a %s session with 400 and keeps serving', async (v) => {
      const raw = await session(v);
      const res = await raw.post(BATCH, { 'mcp-protocol-version': v });
      expect(res.status).toBe(400);
      expect(res.messages).toEqual([REFUSED]);
      expect(res.messages[0].error.message).toContain(v);
      // Notifications only: the SDK would have answered 202 and run them.
      const notes = await raw.post([{ jsonrpc: '2.0', method: 'notifications/initialized' }]);
      expect(notes.status).toBe(400);
      expect((await raw.post(rpc(3, 'ping'))).messages[0]).toMatchObject({ id: 3, result: {} });
    });

    it('refuses it when the client asked for a version the server does not speak (it negotiates the latest)', async () => {
      const raw = await session('2099-01-01');
      const res = await raw.post(BATCH);
      expect(res.status).toBe(400);
      expect(res.messages).toEqual([REFUSED]);
    });

    it('goes by the negotiated version, not by a Mcp-Protocol-Version header claiming 2025-03-26', async () => {
      const raw = await session('2025-06-18');
      const res = await raw.post(BATCH, { 'mcp-protocol-version': '2025-03-26' });
      expect(res.status).toBe(400);
      expect(res.messages).toEqual([REFUSED]);
    });

    it('still answers every request of a batch on a 2025-03-26 session', async () => {
      const raw = await session('2025-03-26');
      const res = await raw.post(BATCH, { 'mcp-protocol-version': '2025-03-26' });
      expect(res.status).toBe(200);
      const replies = res.messages.flat();
      expect(replies.map((m: { id: number }) => m.id).sort()).toEqual([1, 2]);
      for (const reply of replies) expect(reply.result).toEqual({});
    });

    it('refuses initialize inside a batch, in any version, and opens no session', async () => {
      for (const version of ['2025-03-26', '2025-06-18']) {
        const raw = new RawMcpHttp(`${gw.url}/mcp`);
        const init = {
          jsonrpc: '2.0',
          id: 0,
          method: 'initialize',
          params: { protocolVersion: version, capabilities: {}, clientInfo: { name: 'raw', version: '0' } },
        };
        const res = await raw.post([init]);
        expect(res.status).toBe(400);
        expect(res.messages).toEqual([
          { ...REFUSED, error: { code: -32600, message: expect.stringMatching(/initialize.*batch/) } },
        ]);
        expect(res.headers.get('mcp-session-id')).toBeNull();
      }
    });
  });

  describe('legacy HTTP+SSE', () => {
    it('refuses a batch on POST /messages with 400 saying so, and keeps the session', async () => {
      const ctl = new AbortController();
      const stream = await fetch(`${gw.url}/sse`, { headers: { accept: 'text/event-stream' }, signal: ctl.signal });
      expect(stream.status).toBe(200);
      const next = sseEvents(stream);
      const endpoint = await next();
      expect(endpoint.event).toBe('endpoint');
      const post = (body: unknown) =>
        fetch(`${gw.url}${endpoint.data}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body),
        });
      const init = {
        jsonrpc: '2.0',
        id: 0,
        method: 'initialize',
        params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '0' } },
      };
      expect((await post(init)).status).toBe(202);
      expect(JSON.parse((await next()).data)).toMatchObject({ id: 0, result: { protocolVersion: '2025-06-18' } });
      const batch = await post(BATCH);
      expect(batch.status).toBe(400);
      expect(await batch.json()).toEqual(REFUSED);
      expect((await post(rpc(3, 'ping'))).status).toBe(202);
      expect(JSON.parse((await next()).data)).toMatchObject({ id: 3, result: {} });
      ctl.abort();
    });
  });

  describe('stdio', () => {
    it('answers a batch line with an Invalid Request error that says batches are not supported, and keeps serving', async () => {
      const input = new PassThrough();
      const output = new PassThrough();
      const lines: any[] = [];
      createInterface({ input: output }).on('line', (line) => lines.push(JSON.parse(line)));
      const stdio = await gw.app.get(McpStdioServer).serve({ input, output });
      const send = (msg: unknown): boolean => input.write(`${JSON.stringify(msg)}\n`);
      send({
        jsonrpc: '2.0',
        id: 0,
        method: 'initialize',
        params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '0' } },
      });
      send({ jsonrpc: '2.0', method: 'notifications/initialized' });
      send(BATCH);
      send(rpc(3, 'ping'));
      await waitFor(() => lines.some((m) => m.id === 3), { what: 'the ping after the batch' });
      expect(lines.filter((m) => m.id === null)).toEqual([REFUSED]);
      expect(lines.filter((m) => m.id === 1 || m.id === 2)).toEqual([]);
      await stdio.close();
    });
  });
});
