import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { LATEST_PROTOCOL_VERSION, type CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import {
  closeMcp,
  connectMcpHttp,
  RawMcpHttp,
  startTestGateway,
  structuredOf,
  textOf,
  type McpHttpTransportKind,
  type TestGateway,
} from '@sandboxed/testing';

const SLOW = 60_000;
const PLUGINS = ['runtime-local', 'capability-shell', 'capability-files', 'capability-code', 'transport-mcp'];

interface FieldProblem {
  path: string;
  problems: string[];
}

/** A tool execution error for bad input: isError, code invalid_argument, the field named in text and details. */
function inputError(result: unknown, field: string, problem: RegExp): string {
  const r = result as CallToolResult;
  expect(r.isError).toBe(true);
  const text = textOf(r);
  expect(text).toMatch(/^Error \(invalid_argument\): /);
  expect(text).toContain(field);
  expect(text).toMatch(problem);
  const error = r._meta?.['sandboxed/error'] as { code: string; details: { fields: FieldProblem[] } };
  expect(error.code).toBe('invalid_argument');
  const entry = error.details.fields.find((f) => f.path === field);
  expect(entry).toBeDefined();
  expect(entry!.problems.join('; ')).toMatch(problem);
  return text;
}

describe('MCP input validation errors reach the model as tool results', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway({ onlyPlugins: PLUGINS });
  }, SLOW);
  afterAll(async () => gw?.close(), SLOW);

  describe.each<McpHttpTransportKind>(['streamable', 'sse'])('with the SDK client over %s', (kind) => {
    let client: Client;
    let sandbox_id: string;
    beforeAll(async () => {
      client = await connectMcpHttp(gw.url, kind, { profile: 'full' });
      sandbox_id = structuredOf(await client.callTool({ name: 'sandbox_create', arguments: {} })).id;
    }, SLOW);
    afterAll(async () => {
      await client.callTool({ name: 'sandbox_delete', arguments: { id: sandbox_id } }).catch(() => undefined);
      await closeMcp(client);
    }, SLOW);

    it('negotiates the latest protocol version', () => {
      if (client.transport instanceof StreamableHTTPClientTransport) {
        expect(client.transport.protocolVersion).toBe('2025-11-25');
      }
      expect(LATEST_PROTOCOL_VERSION).toBe('2025-11-25');
    });

    it('a missing required argument names the field', async () => {
      const noSandbox = await client.callTool({ name: 'shell_exec', arguments: { command: 'true' } });
      const text = inputError(noSandbox, 'sandbox_id', /required/);
      expect(text).toContain('shell_exec');
      inputError(await client.callTool({ name: 'files_read', arguments: { sandbox_id } }), 'path', /required/);
      inputError(await client.callTool({ name: 'execute_python', arguments: {} }), 'code', /required/);
    });

    it('a wrong type names the field, the type wanted and the type given', async () => {
      const wrong = await client.callTool({ name: 'shell_exec', arguments: { sandbox_id, command: 7 } });
      inputError(wrong, 'command', /must be (a )?string.*got number/);
      inputError(
        await client.callTool({ name: 'files_read', arguments: { sandbox_id, path: ['a'] } }),
        'path',
        /must be (a )?string.*got array/,
      );
      inputError(
        await client.callTool({ name: 'sandbox_create', arguments: { labels: { team: 1 } } }),
        'labels.team',
        /must be (a )?string/,
      );
      inputError(
        await client.callTool({ name: 'execute_python', arguments: { code: 'print(1)', timeout: 'soon' } }),
        'timeout',
        /must be (a )?number.*got string/,
      );
    });

    it('an unknown field is named, with the fields the tool takes', async () => {
      const extra = await client.callTool({ name: 'sandbox_create', arguments: { bogus: true } });
      const text = inputError(extra, 'bogus', /unknown field/);
      expect(text).toMatch(/template/);
      inputError(
        await client.callTool({ name: 'list_sandboxes', arguments: { verbose: true } }),
        'verbose',
        /unknown field/,
      );
      inputError(
        await client.callTool({ name: 'run_code', arguments: { sandbox_id, code: 'print(1)', lang: 'python' } }),
        'lang',
        /unknown field.*language/,
      );
    });

    it('a value outside an enum or pattern says what is allowed', async () => {
      inputError(
        await client.callTool({ name: 'create_sandbox', arguments: { language: 'cobol', name: 'x' } }),
        'language',
        /must be one of.*python/,
      );
      inputError(
        await client.callTool({ name: 'create_sandbox', arguments: { language: 'python', name: 'no spaces!' } }),
        'name',
        /must match/,
      );
    });

    it('run_code without sandbox_name or sandbox_id says to give one', async () => {
      inputError(
        await client.callTool({ name: 'run_code', arguments: { code: 'print(1)' } }),
        'sandbox_name',
        /sandbox_id/,
      );
    });

    it('several problems are all reported', async () => {
      const r = await client.callTool({ name: 'shell_exec', arguments: { command: 7, nope: 1 } });
      inputError(r, 'sandbox_id', /required/);
      inputError(r, 'command', /string/);
      inputError(r, 'nope', /unknown field/);
    });

    it('an unknown tool stays a protocol error (-32602), and the session keeps serving', async () => {
      // Prefixed once, by the client: not "MCP error -32602: MCP error -32602: ...".
      await expect(client.callTool({ name: 'no_such_tool', arguments: {} })).rejects.toMatchObject({
        code: -32602,
        message: 'MCP error -32602: Unknown tool: no_such_tool',
      });
      const ok = await client.callTool({ name: 'shell_exec', arguments: { sandbox_id, command: 'echo fine' } });
      expect(structuredOf(ok).stdout).toBe('fine\n');
    });
  });

  describe('raw JSON-RPC over streamable HTTP', () => {
    const rpc = (id: number, params: unknown) => ({ jsonrpc: '2.0', id, method: 'tools/call', params });

    it('malformed tools/call requests stay protocol errors; bad arguments are tool results', async () => {
      const raw = new RawMcpHttp(`${gw.url}/mcp`);
      await raw.initialize('2025-11-25');
      const noName = await raw.post(rpc(1, { arguments: {} }));
      expect(noName.messages[0]).toMatchObject({ id: 1, error: { code: -32602 } });
      const argsNotObject = await raw.post(rpc(2, { name: 'shell_exec', arguments: 'echo hi' }));
      expect(argsNotObject.messages[0]).toMatchObject({ id: 2, error: { code: -32602 } });
      const unknown = await raw.post(rpc(3, { name: 'nope', arguments: {} }));
      expect(unknown.messages[0]).toMatchObject({
        id: 3,
        error: { code: -32602, message: 'Unknown tool: nope' },
      });
      const bad = await raw.post(rpc(4, { name: 'shell_exec', arguments: { sandbox_id: 'x', command: 7 } }));
      expect(bad.messages[0].error).toBeUndefined();
      expect(bad.messages[0].result).toMatchObject({
        isError: true,
        content: [{ type: 'text', text: expect.stringMatching(/command: must be a string/) }],
      });
    });

    it('sessions on an earlier protocol version get the same tool result', async () => {
      const raw = new RawMcpHttp(`${gw.url}/mcp`);
      await raw.initialize('2025-06-18');
      const bad = await raw.post(rpc(1, { name: 'shell_exec', arguments: { command: 'true' } }));
      expect(bad.messages[0].result).toMatchObject({ isError: true });
      expect(bad.messages[0].result.content[0].text).toMatch(/sandbox_id: required/);
    });
  });
});
