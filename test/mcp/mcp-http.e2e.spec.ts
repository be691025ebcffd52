import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { LoggingMessageNotificationSchema, type Progress } from '@modelcontextprotocol/sdk/types.js';
import { OPERATION_REGISTRY, type OperationRegistry } from '@sandboxed/plugin-sdk';
import {
  closeMcp,
  connectMcpHttp,
  startTestGateway,
  structuredOf,
  textOf,
  type McpHttpTransportKind,
  type TestGateway,
} from '@sandboxed/testing';
import { toolNameFor } from '@sandboxed/transport-mcp';
import { ALIASES, sandboxWorkflow } from './mcp-workflow.scenario.js';

const SLOW = 60_000;

describe.each<McpHttpTransportKind>(['streamable', 'sse'])('MCP over %s HTTP', (kind) => {
  let gw: TestGateway;
  let client: Client;
  beforeAll(async () => {
    gw = await startTestGateway({ extraPlugins: ['./test/fixtures/acme-echo-plugin/index.ts'] });
    client = await connectMcpHttp(gw.url, kind, { profile: 'full' });
  }, SLOW);
  afterAll(async () => {
    await closeMcp(client);
    await gw?.close();
  }, SLOW);

  it('initializes with the tools and logging capabilities', () => {
    expect(client.getServerVersion()).toMatchObject({ name: 'sandboxed' });
    expect(client.getServerCapabilities()).toMatchObject({ tools: {}, logging: {} });
  });

  it('lists a tool for every registered operation (but raw byte transfers) and the aliases', async () => {
    const { tools } = await client.listTools();
    const names = tools.map((t) => t.name);
    const ops = gw.app.get<OperationRegistry>(OPERATION_REGISTRY).list();
    const binary = ops.filter((op) => op.http?.body === 'octets' || (!op.stream && op.output === 'binary'));
    for (const op of ops) {
      if (binary.includes(op)) expect(names).not.toContain(toolNameFor(op.id));
      else expect(names).toContain(toolNameFor(op.id));
    }
    expect(names).toEqual(expect.arrayContaining([...ALIASES, 'shell_exec_stream', 'acme_echo', 'acme_hostname']));
    expect(names.length).toBe(ops.length - binary.length + ALIASES.length);

    const exec = tools.find((t) => t.name === 'shell_exec')!;
    expect(exec.inputSchema.required).toContain('sandbox_id');
    expect(exec.inputSchema.properties).toHaveProperty('command');
    expect(exec.outputSchema?.properties).toHaveProperty('stdout');
    expect(exec.annotations).toMatchObject({ readOnlyHint: false, destructiveHint: false });
    const read = tools.find((t) => t.name === 'files_read')!;
    expect(read.annotations).toMatchObject({ readOnlyHint: true, idempotentHint: true });
    const del = tools.find((t) => t.name === 'sandbox_delete')!;
    expect(del.annotations).toMatchObject({ destructiveHint: true });
    expect(del.outputSchema).toBeUndefined();
    expect(tools.find((t) => t.name === 'sandbox_create')!.inputSchema.required ?? []).not.toContain('sandbox_id');
    // The code aliases answer in the seed systems' shapes (test/mcp/mcp-seed-aliases.e2e.spec.ts).
    expect(tools.find((t) => t.name === 'run_code')!.outputSchema?.properties).toHaveProperty('output');
    expect(tools.find((t) => t.name === 'execute_python')!.outputSchema?.properties).toHaveProperty('execution_time');
    expect(tools.find((t) => t.name === 'run_code')!.inputSchema.properties).toHaveProperty('timeout');
  });

  it(
    'creates a sandbox, runs code, writes and reads a file, and destroys it',
    async () => {
      await sandboxWorkflow(client);
    },
    SLOW,
  );

  it(
    'runs a third-party plugin’s operations as tools',
    async () => {
      const echo = await client.callTool({ name: 'acme_echo', arguments: { text: 'hi' } });
      expect(structuredOf(echo)).toEqual({ echoed: 'HI', principal: 'local' });
      expect(JSON.parse(textOf(echo))).toEqual({ echoed: 'HI', principal: 'local' });
      const sb = structuredOf(await client.callTool({ name: 'sandbox_create', arguments: {} }));
      const host = structuredOf(await client.callTool({ name: 'acme_hostname', arguments: { sandbox_id: sb.id } }));
      expect(host).toEqual({ hostname: 'sandbox' });
      await client.callTool({ name: 'sandbox_delete', arguments: { id: sb.id } });
    },
    SLOW,
  );

  it(
    'streams shell_exec_stream output as progress and logging notifications, then returns all of it',
    async () => {
      const sb = structuredOf(await client.callTool({ name: 'sandbox_create', arguments: {} }));
      const logs: Array<{ logger?: string; data: unknown }> = [];
      client.setNotificationHandler(LoggingMessageNotificationSchema, (n) => void logs.push(n.params));
      const progress: Progress[] = [];
      const result = await client.callTool(
        {
          name: 'shell_exec_stream',
          arguments: {
            sandbox_id: sb.id,
            command: 'for i in 1 2 3; do echo line$i; sleep 0.2; done; echo bad >&2; exit 4',
          },
        },
        undefined,
        { onprogress: (p) => void progress.push(p) },
      );
      const out = structuredOf(result);
      expect(out).toMatchObject({
        stdout: 'line1\nline2\nline3\n',
        stderr: 'bad\n',
        exitCode: 4,
        timedOut: false,
        truncated: false,
      });
      expect(progress.length).toBeGreaterThanOrEqual(3);
      expect(progress.map((p) => p.progress)).toEqual([...progress.map((p) => p.progress)].sort((a, b) => a - b));
      expect(progress.map((p) => p.message).join('')).toContain('line2');
      expect(
        logs
          .filter((l) => l.logger === 'stdout')
          .map((l) => l.data)
          .join(''),
      ).toBe('line1\nline2\nline3\n');
      expect(logs.some((l) => l.logger === 'stderr' && l.data === 'bad\n')).toBe(true);
      await client.callTool({ name: 'sandbox_delete', arguments: { id: sb.id } });
    },
    SLOW,
  );

  it(
    'turns typed errors into isError results and keeps serving',
    async () => {
      const missing = await client.callTool({
        name: 'shell_exec',
        arguments: { sandbox_id: 'f'.repeat(32), command: 'true' },
      });
      expect(missing.isError).toBe(true);
      expect(textOf(missing)).toMatch(/not_found.*not found/);
      expect(missing._meta?.['sandboxed/error']).toMatchObject({ code: 'not_found' });
      const sb = structuredOf(await client.callTool({ name: 'sandbox_create', arguments: {} }));
      const ambiguous = await client.callTool({
        name: 'shell_exec',
        arguments: { sandbox_id: sb.id, command: 'true', argv: ['true'] },
      });
      expect(ambiguous.isError).toBe(true);
      expect(textOf(ambiguous)).toMatch(/invalid_argument/);
      const noName = await client.callTool({
        name: 'run_code',
        arguments: { sandbox_name: 'nobody-has-this', code: 'print(1)' },
      });
      expect(noName.isError).toBeFalsy();
      expect(structuredOf(noName)).toMatchObject({ success: false, error: 'No sandbox named "nobody-has-this"' });
      expect(structuredOf(await client.callTool({ name: 'acme_echo', arguments: { text: 'still here' } })).echoed).toBe(
        'STILL HERE',
      );
      await client.callTool({ name: 'sandbox_delete', arguments: { id: sb.id } });
    },
    SLOW,
  );

  it('answers an unknown tool with JSON-RPC -32602 and bad arguments with isError results', async () => {
    await expect(client.callTool({ name: 'no_such_tool', arguments: {} })).rejects.toMatchObject({
      code: -32602,
      message: expect.stringMatching(/Unknown tool/),
    });
    // Input validation errors are tool execution errors (test/mcp/mcp-input-errors.e2e.spec.ts).
    const wrongType = await client.callTool({ name: 'acme_echo', arguments: { text: 42 } });
    expect(wrongType.isError).toBe(true);
    expect(textOf(wrongType)).toMatch(/text: must be a string \(got number\)/);
    const extra = await client.callTool({ name: 'acme_echo', arguments: { text: 'x', extra: true } });
    expect(textOf(extra)).toMatch(/extra: unknown field/);
    const noSandbox = await client.callTool({ name: 'shell_exec', arguments: { command: 'true' } });
    expect(textOf(noSandbox)).toMatch(/sandbox_id: required/);
    const cobol = await client.callTool({ name: 'create_sandbox', arguments: { language: 'cobol' } });
    expect(cobol.isError).toBe(true);
    expect(textOf(cobol)).toMatch(/language: must be one of/);
  });

  it(
    'runs execute_python in a throwaway sandbox',
    async () => {
      const before = structuredOf(await client.callTool({ name: 'list_sandboxes', arguments: {} })).count;
      const out = structuredOf(
        await client.callTool({ name: 'execute_python', arguments: { code: 'print(sum(range(10)))' } }),
      );
      expect(out).toMatchObject({ stdout: '45\n', exit_code: 0, success: true, language: 'python' });
      expect(structuredOf(await client.callTool({ name: 'list_sandboxes', arguments: {} })).count).toBe(before);
      const slow = structuredOf(
        await client.callTool({
          name: 'execute_python',
          arguments: { code: 'import time\ntime.sleep(30)', timeout: 0.5 },
        }),
      );
      expect(slow.timed_out).toBe(true);
    },
    SLOW,
  );
});
