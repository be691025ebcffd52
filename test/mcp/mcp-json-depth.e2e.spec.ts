import { PassThrough } from 'node:stream';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { InvalidArgumentError, OPERATION_INVOKER, type OperationInvoker } from '@sandboxed/plugin-sdk';
import { HttpClient, RawMcpHttp, startTestGateway, waitFor, type TestGateway } from '@sandboxed/testing';
import { McpStdioServer } from '@sandboxed/transport-mcp';
import { RawMcpSse } from '../support/raw-mcp-sse.client.js';

const DEEP = 50_000;
/** `{"a":{"a":…1…}}`, `depth` objects deep, as text (building it as a value would be the overflow we test). */
const nested = (depth: number): string => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
const nestedArrays = (depth: number): string => `${'['.repeat(depth)}${']'.repeat(depth)}`;
/** A tools/call, as text, with `args` spliced in verbatim. */
const callText = (id: number, tool: string, args: string): string =>
  `{"jsonrpc":"2.0","id":${id},"method":"tools/call","params":{"name":"${tool}","arguments":${args}}}`;
/** The clean refusal: a tool result with the kernel's typed error, which names the limit. */
const TOO_DEEP = {
  isError: true,
  _meta: {
    'sandboxed/error': {
      code: 'invalid_argument',
      message: expect.stringMatching(/^Input is nested deeper than 64 levels/),
    },
  },
};

/**
 * Arguments that break a tool's schema are refused before the kernel sees them, as invalid params or
 * as an invalid_argument tool result (the transport's policy for schema errors); either is clean.
 */
function expectCleanRefusal(reply: any, id: number): void {
  expect(reply.id).toBe(id);
  if (reply.error) expect(reply.error.code).toBe(-32602);
  else
    expect(reply.result).toMatchObject({ isError: true, _meta: { 'sandboxed/error': { code: 'invalid_argument' } } });
}

describe('deeply nested JSON in MCP tool arguments (issue 8, item 14)', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway({
      onlyPlugins: ['runtime-local', 'capability-shell', 'transport-rest', 'transport-mcp'],
      // Its operation takes a free-form object: no tool schema limits the depth, only the kernel.
      extraPlugins: ['./test/fixtures/free-form-plugin/index.ts'],
    });
  });
  afterAll(async () => gw?.close());

  describe('streamable HTTP (raw POST /mcp)', () => {
    let raw: RawMcpHttp;
    beforeAll(async () => {
      raw = new RawMcpHttp(`${gw.url}/mcp/full`); // a third-party tool: in the full profile
      expect((await raw.initialize()).status).toBe(200);
    });

    it.each([
      ['objects', nested(DEEP)],
      ['arrays', `{"list":${nestedArrays(DEEP)}}`],
    ])(
      'answers %s 50,000 levels deep in a free-form argument with invalid_argument naming the limit',
      async (_what, value) => {
        const res = await raw.post(callText(1, 'freeform_describe', `{"value":${value}}`));
        expect(res.status).toBe(200);
        expect(res.messages).toEqual([{ jsonrpc: '2.0', id: 1, result: expect.objectContaining(TOO_DEEP) }]);
      },
    );

    it('still serves shallow free-form arguments, up to the limit', async () => {
      const res = await raw.post(callText(2, 'freeform_describe', `{"value":{"x":${nested(62)}}}`));
      expect(res.messages[0].result).toMatchObject({ structuredContent: { keys: ['x'] } });
    });

    it('answers deep arguments that break a tool schema with a clean error, never an internal one', async () => {
      const env = await raw.post(
        callText(3, 'shell_exec', `{"sandbox_id":"x","command":"true","env":${nested(DEEP)}}`),
      );
      expectCleanRefusal(env.messages[0], 3);
      const args = await raw.post(callText(4, 'shell_exec', nestedArrays(DEEP)));
      expectCleanRefusal(args.messages[0], 4);
    });

    it('reads a 50,000-deep body without blowing the stack: a deep params or batch is a clean JSON-RPC error', async () => {
      const params = await raw.post(`{"jsonrpc":"2.0","id":5,"method":"tools/call","params":${nested(DEEP)}}`);
      expect(params.messages[0]).toMatchObject({ id: 5, error: { code: -32602 } });
      const body = await raw.post(nestedArrays(DEEP));
      expect(body.status).toBe(400);
      expect(body.messages[0]).toMatchObject({ error: { code: -32600 } });
      const anonymous = await new RawMcpHttp(`${gw.url}/mcp/full`).post(nested(DEEP));
      expect(anonymous.status).toBe(400);
      expect(anonymous.messages[0]).toMatchObject({ error: { code: -32600 } });
      expect((await raw.post({ jsonrpc: '2.0', id: 6, method: 'ping' })).messages[0]).toMatchObject({
        id: 6,
        result: {},
      });
    });
  });

  it('legacy HTTP+SSE: the same isError result on the stream, and the session keeps serving', async () => {
    const sse = await RawMcpSse.open(gw.url, {}, 'full');
    try {
      await sse.initialize();
      expect(await sse.post(callText(1, 'freeform_describe', `{"value":${nested(DEEP)}}`))).toBe(202);
      expect(await sse.next((m) => m.id === 1)).toMatchObject({ result: TOO_DEEP });
      expect(await sse.post({ jsonrpc: '2.0', id: 2, method: 'ping' })).toBe(202);
      expect(await sse.next((m) => m.id === 2)).toMatchObject({ result: {} });
    } finally {
      sse.close();
    }
  });

  it('stdio: the same isError result, and the server keeps serving', async () => {
    const input = new PassThrough();
    const output = new PassThrough();
    const lines: any[] = [];
    createInterface({ input: output }).on('line', (line) => lines.push(JSON.parse(line)));
    const stdio = await gw.app.get(McpStdioServer).serve({ input, output, profile: 'full' });
    try {
      input.write(
        `${JSON.stringify({
          jsonrpc: '2.0',
          id: 0,
          method: 'initialize',
          params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '0' } },
        })}\n`,
      );
      input.write(`${JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' })}\n`);
      input.write(`${callText(1, 'freeform_describe', `{"value":${nested(DEEP)}}`)}\n`);
      input.write(`${JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'ping' })}\n`);
      await waitFor(() => lines.some((m) => m.id === 2), { what: 'the ping after the deep call' });
      expect(lines.find((m) => m.id === 1)).toMatchObject({ result: TOO_DEEP });
    } finally {
      await stdio.close();
    }
  });

  it('REST refuses the same body with 400, and the kernel refuses the parsed value from any caller', async () => {
    const res = await new HttpClient(gw.url).request('POST', '/v1/freeform/describe', `{"value":${nested(DEEP)}}`, {
      'content-type': 'application/json',
    });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: 'invalid_argument', message: expect.stringMatching(/64 levels/) });
    const invoker = gw.app.get<OperationInvoker>(OPERATION_INVOKER);
    const value = JSON.parse(nested(DEEP)) as unknown;
    const refused = invoker.invoke(
      'freeform.describe',
      { input: { value } },
      { id: 'local', scopes: ['*'] },
      new AbortController().signal,
    );
    await expect(refused).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(refused).rejects.toThrow('Input is nested deeper than 64 levels; send flatter JSON');
  });
});
