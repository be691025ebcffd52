import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Tool } from '@modelcontextprotocol/sdk/types.js';
import { OPERATION_REGISTRY, type OperationRegistry } from '@sandboxed/plugin-sdk';
import { closeMcp, connectMcpHttp, startTestGateway, type TestGateway } from '@sandboxed/testing';
import { toolNameFor } from '@sandboxed/transport-mcp';

/** The budget of `/mcp`'s tools/list: about 5k tokens of an agent's context. */
const DEFAULT_LIST_BUDGET = 20_000;

const CORE = [
  'code_run',
  'files_edit',
  'files_list',
  'files_read',
  'files_write',
  'process_kill',
  'process_logs',
  'process_start',
  'process_wait',
  'sandbox_create',
  'sandbox_delete',
  'sandbox_list',
  'shell_exec',
];
const AGENT_ALIASES = ['bash', 'edit', 'glob', 'grep', 'read', 'write'];
const SEED_ALIASES = ['create_sandbox', 'destroy_sandbox', 'execute_python', 'list_sandboxes', 'run_code'];

describe('MCP tool lists per profile (every default plugin loaded)', () => {
  let gw: TestGateway;
  const lists = new Map<string, { tools: Tool[]; bytes: number }>();

  beforeAll(async () => {
    gw = await startTestGateway();
    for (const profile of ['default', 'full', 'agent']) {
      const client = await connectMcpHttp(gw.url, 'streamable', profile === 'default' ? {} : { profile });
      try {
        const result = await client.listTools();
        // The result as it travels: the JSON of tools/list's result, in UTF-8 bytes.
        lists.set(profile, { tools: result.tools, bytes: Buffer.byteLength(JSON.stringify(result)) });
      } finally {
        await closeMcp(client);
      }
    }
  });
  afterAll(async () => gw?.close());

  const names = (profile: string): string[] =>
    lists
      .get(profile)!
      .tools.map((t) => t.name)
      .sort();

  it(`keeps /mcp to the core set, within ${DEFAULT_LIST_BUDGET} bytes, without output schemas`, () => {
    const { tools, bytes } = lists.get('default')!;
    // process.wait is newer than some branches: the core set lists it where it is registered.
    const registered = gw.app
      .get<OperationRegistry>(OPERATION_REGISTRY)
      .list()
      .map((op) => toolNameFor(op.id));
    expect(names('default')).toEqual(CORE.filter((name) => registered.includes(name)));
    expect(bytes).toBeLessThanOrEqual(DEFAULT_LIST_BUDGET);
    expect(tools.filter((t) => t.outputSchema).map((t) => t.name)).toEqual([]);
    // Compact lists drop output schemas only: inputs keep their descriptions and limits.
    const exec = tools.find((t) => t.name === 'shell_exec')!;
    expect(exec.inputSchema.required).toContain('sandbox_id');
    expect((exec.inputSchema.properties as Record<string, { maxLength?: number }>).command.maxLength).toBeGreaterThan(
      0,
    );
  });

  it('serves every tool at /mcp/full, output schemas included, and no agent aliases', () => {
    const ops = gw.app.get<OperationRegistry>(OPERATION_REGISTRY).list();
    const binary = (id: string): boolean => {
      const op = ops.find((o) => o.id === id)!;
      return op.http?.body === 'octets' || (!op.stream && op.output === 'binary');
    };
    const expected = [...ops.filter((op) => !binary(op.id)).map((op) => toolNameFor(op.id)), ...SEED_ALIASES].sort();
    expect(names('full')).toEqual(expected);
    expect(lists.get('full')!.tools.find((t) => t.name === 'shell_exec')!.outputSchema).toBeDefined();
    expect(lists.get('full')!.bytes).toBeGreaterThan(3 * lists.get('default')!.bytes);
  });

  it('serves the familiar names at /mcp/agent, with web, browser, process and lifecycle tools', () => {
    const agent = names('agent');
    expect(agent).toEqual(
      expect.arrayContaining([
        ...AGENT_ALIASES,
        'web_fetch',
        'web_search',
        'browser_navigate',
        'browser_screenshot',
        'browser_click',
        'process_logs',
        'process_kill',
        'sandbox_create',
        'sandbox_delete',
      ]),
    );
    const browser = names('full').filter((n) => n.startsWith('browser_'));
    expect(agent.filter((n) => n.startsWith('browser_'))).toEqual(browser);
    // No second name for the same thing: the agent names replace shell_exec and files_*.
    for (const other of ['shell_exec', 'files_read', 'files_write', ...SEED_ALIASES])
      expect(agent).not.toContain(other);
    const bash = lists.get('agent')!.tools.find((t) => t.name === 'bash')!;
    expect(Object.keys(bash.inputSchema.properties ?? {})).toEqual([
      'sandbox_id',
      'command',
      'timeout_ms',
      'run_in_background',
      'description',
    ]);
    expect(bash.inputSchema.required).toEqual(['sandbox_id', 'command']);
  });
});
