import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { CallToolResult, Tool } from '@modelcontextprotocol/sdk/types.js';
import { closeMcp, connectMcpHttp, startTestGateway, structuredOf, type TestGateway } from '@sandboxed/testing';

const SLOW = 60_000;
const PLUGINS = ['runtime-local', 'capability-shell', 'capability-files', 'capability-code', 'transport-mcp'];

const uniqueName = (prefix: string): string => `${prefix}-${randomBytes(4).toString('hex')}`;

/**
 * What a client written for a seed system reads: the text content parsed as JSON. It must be the same
 * object as structuredContent, and the call must be a normal result (not isError).
 */
function seedResult(result: unknown): Record<string, any> {
  const r = result as CallToolResult;
  expect(r.isError).toBeFalsy();
  expect(r.content).toHaveLength(1);
  expect(r.content[0].type).toBe('text');
  const parsed = JSON.parse((r.content[0] as { text: string }).text) as Record<string, any>;
  expect(r.structuredContent).toEqual(parsed);
  return parsed;
}

const keysOf = (o: object): string[] => Object.keys(o).sort();

describe('MCP seed-system aliases answer in the seed systems’ shapes (local runtime, streamable HTTP)', () => {
  let gw: TestGateway;
  let client: Client;
  let tools: Tool[];
  beforeAll(async () => {
    gw = await startTestGateway({ onlyPlugins: PLUGINS });
    client = await connectMcpHttp(gw.url, 'streamable', { profile: 'full' });
    // listTools makes the SDK client check every later structuredContent against the tool's outputSchema.
    tools = (await client.listTools()).tools;
  }, SLOW);
  afterAll(async () => {
    await closeMcp(client);
    await gw?.close();
  }, SLOW);

  const call = async (name: string, args: Record<string, unknown>) =>
    seedResult(await client.callTool({ name, arguments: args }));
  const toolNamed = (name: string): Tool => tools.find((t) => t.name === name)!;

  it('advertises output schemas with the seed shapes', () => {
    const required = (name: string) => [...((toolNamed(name).outputSchema?.required as string[]) ?? [])].sort();
    const props = (name: string) => toolNamed(name).outputSchema?.properties as Record<string, { type?: unknown }>;
    expect(required('create_sandbox')).toEqual(['message', 'success']);
    expect(props('create_sandbox')).toMatchObject({
      success: { type: 'boolean' },
      message: { type: 'string' },
      sandbox_id: { type: 'string' },
    });
    expect(required('run_code')).toEqual(['exit_code', 'output', 'success']);
    expect(props('run_code')).toMatchObject({
      success: { type: 'boolean' },
      output: { type: 'string' },
      exit_code: { type: ['integer', 'null'] },
      error: { type: 'string' },
    });
    expect(required('destroy_sandbox')).toEqual(['message', 'success']);
    expect(required('list_sandboxes')).toEqual(['count', 'sandboxes']);
    expect(props('list_sandboxes')).toMatchObject({
      sandboxes: { type: 'array', items: { type: 'string' } },
      count: { type: 'integer' },
    });
    expect(required('execute_python')).toEqual(['execution_time', 'exit_code', 'stderr', 'stdout', 'success']);
    expect(props('execute_python')).toMatchObject({
      stdout: { type: 'string' },
      stderr: { type: 'string' },
      exit_code: { type: ['integer', 'null'] },
      execution_time: { type: 'number' },
      success: { type: 'boolean' },
    });
    const createArgs = toolNamed('create_sandbox').inputSchema.properties!;
    expect(Object.keys(createArgs)).toEqual(expect.arrayContaining(['name', 'language', 'namespace', 'labels']));
  });

  it(
    'create_sandbox → {success, message, sandbox_id}; a duplicate name is {success: false, message}',
    async () => {
      const name = uniqueName('seed');
      const created = await call('create_sandbox', { name, language: 'python' });
      expect(keysOf(created)).toEqual(['language', 'message', 'name', 'sandbox', 'sandbox_id', 'success']);
      expect(created.success).toBe(true);
      expect(typeof created.message).toBe('string');
      expect(created.message).toContain(name);
      expect(created.sandbox_id).toMatch(/^[0-9a-f]{32}$/);
      expect(created).toMatchObject({ name, language: 'python' });
      expect(created.sandbox).toMatchObject({ id: created.sandbox_id, status: 'running', labels: { name } });

      const before = await call('list_sandboxes', {});
      const dup = await call('create_sandbox', { name, language: 'python' });
      expect(dup).toEqual({ success: false, message: expect.stringContaining(`"${name}"`) });
      expect(dup.message).toMatch(/already/);
      expect((await call('list_sandboxes', {})).count).toBe(before.count);

      const destroyed = await call('destroy_sandbox', { sandbox_name: name });
      expect(destroyed).toEqual({
        success: true,
        message: expect.stringContaining(name),
        sandbox_id: created.sandbox_id,
      });
    },
    SLOW,
  );

  it(
    'create_sandbox accepts namespace (kept as the namespace label) and labels',
    async () => {
      const name = uniqueName('ns');
      const created = await call('create_sandbox', {
        name,
        language: 'python',
        namespace: 'team-a',
        labels: { project: 'demo' },
      });
      expect(created.success).toBe(true);
      expect(created.namespace).toBe('team-a');
      const info = structuredOf(await client.callTool({ name: 'sandbox_get', arguments: { id: created.sandbox_id } }));
      expect(info.labels).toEqual({ name, language: 'python', namespace: 'team-a', project: 'demo' });
      expect((await call('destroy_sandbox', { sandbox_name: name })).success).toBe(true);
    },
    SLOW,
  );

  it(
    'run_code → {success, output, exit_code} with stdout and stderr merged in the order they were written',
    async () => {
      const name = uniqueName('run');
      expect((await call('create_sandbox', { name, language: 'python' })).success).toBe(true);

      const ok = await call('run_code', { sandbox_name: name, code: 'print(6 * 7)' });
      expect(keysOf(ok)).toEqual([
        'execution_time',
        'exit_code',
        'language',
        'output',
        'sandbox_id',
        'success',
        'timed_out',
        'truncated',
      ]);
      expect(ok).toMatchObject({ success: true, output: '42\n', exit_code: 0, language: 'python', timed_out: false });
      expect(typeof ok.execution_time).toBe('number');

      const interleaved = await call('run_code', {
        sandbox_name: name,
        code: [
          'import sys',
          'for i in range(3):',
          '    print(f"out{i}", flush=True)',
          '    sys.stderr.write(f"err{i}\\n"); sys.stderr.flush()',
          'print("done", flush=True)',
        ].join('\n'),
      });
      expect(interleaved.output).toBe('out0\nerr0\nout1\nerr1\nout2\nerr2\ndone\n');
      expect(interleaved.success).toBe(true);

      const small = await call('run_code', {
        sandbox_name: name,
        code: 'import sys; print(1, flush=True); sys.stderr.write("2\\n"); sys.stderr.flush(); print(3, flush=True)',
      });
      expect(small.output).toBe('1\n2\n3\n');

      const failed = await call('run_code', {
        sandbox_name: name,
        code: 'import sys\nprint("before")\nsys.exit(3)',
      });
      expect(failed).toMatchObject({ success: false, output: 'before\n', exit_code: 3 });
      expect(failed.error).toMatch(/3/);

      const raised = await call('run_code', { sandbox_name: name, code: 'raise ValueError("boom")' });
      expect(raised).toMatchObject({ success: false, exit_code: 1 });
      expect(raised.output).toMatch(/ValueError: boom/);

      const slow = await call('run_code', { sandbox_name: name, code: 'import time\ntime.sleep(30)', timeout: 0.5 });
      expect(slow).toMatchObject({ success: false, timed_out: true, exit_code: null });
      expect(slow.error).toMatch(/timed out/i);

      expect((await call('destroy_sandbox', { sandbox_name: name })).success).toBe(true);
    },
    SLOW,
  );

  it(
    'run_code and destroy_sandbox on a name nobody has answer {success: false, ...}',
    async () => {
      const missing = await call('run_code', { sandbox_name: 'nobody-has-this', code: 'print(1)' });
      expect(missing).toEqual({
        success: false,
        output: '',
        exit_code: null,
        error: expect.stringMatching(/No sandbox named "nobody-has-this"/),
      });
      const gone = await call('destroy_sandbox', { sandbox_name: 'nobody-has-this' });
      expect(gone).toEqual({ success: false, message: expect.stringMatching(/No sandbox named "nobody-has-this"/) });
    },
    SLOW,
  );

  it(
    'list_sandboxes → {sandboxes: [names], count}; a sandbox without a name is listed by its id, which works as a name',
    async () => {
      const name = uniqueName('list');
      const named = await call('create_sandbox', { name, language: 'python' });
      const unnamed = structuredOf(
        await client.callTool({ name: 'sandbox_create', arguments: { template: 'python' } }),
      );

      const listed = await call('list_sandboxes', {});
      expect(keysOf(listed)).toEqual(['count', 'details', 'sandboxes']);
      expect(Array.isArray(listed.sandboxes)).toBe(true);
      for (const s of listed.sandboxes) expect(typeof s).toBe('string');
      expect(listed.count).toBe(listed.sandboxes.length);
      expect(listed.sandboxes).toEqual(expect.arrayContaining([name, unnamed.id]));
      expect(listed.details).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ id: named.sandbox_id, labels: expect.objectContaining({ name }) }),
        ]),
      );

      const ran = await call('run_code', { sandbox_name: unnamed.id, code: 'print("by id")' });
      expect(ran).toMatchObject({ success: true, output: 'by id\n', sandbox_id: unnamed.id });
      expect((await call('destroy_sandbox', { sandbox_name: unnamed.id })).success).toBe(true);
      expect((await call('destroy_sandbox', { sandbox_name: name })).success).toBe(true);

      const after = await call('list_sandboxes', {});
      expect(after.sandboxes).not.toContain(name);
      expect(after.sandboxes).not.toContain(unnamed.id);
    },
    SLOW,
  );

  it(
    'execute_python → {stdout, stderr, exit_code, execution_time, success}',
    async () => {
      const before = (await call('list_sandboxes', {})).count;
      const out = await call('execute_python', {
        code: 'import sys\nprint(sum(range(10)))\nprint("warn", file=sys.stderr)',
      });
      expect(keysOf(out)).toEqual([
        'execution_time',
        'exit_code',
        'language',
        'stderr',
        'stdout',
        'success',
        'timed_out',
        'truncated',
      ]);
      expect(out).toMatchObject({ stdout: '45\n', stderr: 'warn\n', exit_code: 0, success: true });
      expect(typeof out.execution_time).toBe('number');
      expect(out.execution_time).toBeGreaterThan(0);
      expect(out.execution_time).toBeLessThan(60); // seconds, not milliseconds

      const failed = await call('execute_python', { code: 'import sys\nsys.exit(2)' });
      expect(failed).toMatchObject({ exit_code: 2, success: false });

      const slow = await call('execute_python', { code: 'import time\ntime.sleep(30)', timeout: 0.5 });
      expect(slow).toMatchObject({ success: false, timed_out: true, exit_code: null });
      expect((await call('list_sandboxes', {})).count).toBe(before);
    },
    SLOW,
  );
});
