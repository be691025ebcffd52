import { randomBytes } from 'node:crypto';
import { expect } from '@jest/globals';
import { structuredOf } from '@sandboxed/testing';

export const ALIASES = ['create_sandbox', 'run_code', 'destroy_sandbox', 'list_sandboxes', 'execute_python'];

/** What the walk needs of a client: the v1 SDK's `Client` and the v2 one (`@modelcontextprotocol/client`) both fit. */
export interface ToolCaller {
  callTool(params: { name: string; arguments?: Record<string, unknown> }): Promise<unknown>;
}

/** The acceptance walk every transport must pass: create → run_code/shell_exec → files_write → files_read → destroy. */
export async function sandboxWorkflow(client: ToolCaller): Promise<void> {
  const name = `wf-${randomBytes(4).toString('hex')}`;
  const made = structuredOf(await client.callTool({ name: 'create_sandbox', arguments: { name, language: 'python' } }));
  expect(made).toMatchObject({ success: true, message: expect.any(String), sandbox_id: expect.any(String) });
  const created = made.sandbox;
  expect(created).toMatchObject({ id: made.sandbox_id, status: 'running', labels: { name, language: 'python' } });

  const code = structuredOf(
    await client.callTool({
      name: 'run_code',
      arguments: {
        sandbox_name: name,
        code: 'import sys\nprint(6 * 7, flush=True)\nprint("oops", file=sys.stderr, flush=True)\nprint("end")',
      },
    }),
  );
  expect(code).toMatchObject({ success: true, output: '42\noops\nend\n', exit_code: 0, language: 'python' });

  const sh = structuredOf(
    await client.callTool({ name: 'shell_exec', arguments: { sandbox_id: created.id, command: 'echo hello; exit 3' } }),
  );
  expect(sh).toMatchObject({ stdout: 'hello\n', exitCode: 3 });

  const written = structuredOf(
    await client.callTool({
      name: 'files_write',
      arguments: { sandbox_id: created.id, path: 'notes/hello.txt', content: 'hi from mcp\n' },
    }),
  );
  expect(written).toEqual({ path: '/workspace/notes/hello.txt', size: 12 });
  const read = structuredOf(
    await client.callTool({ name: 'files_read', arguments: { sandbox_id: created.id, path: 'notes/hello.txt' } }),
  );
  expect(read).toMatchObject({ content: 'hi from mcp\n', encoding: 'utf8', size: 12 });

  const listed = structuredOf(await client.callTool({ name: 'list_sandboxes', arguments: {} }));
  expect(listed.count).toBe(listed.sandboxes.length);
  expect(listed.sandboxes).toContain(name);

  const destroyed = structuredOf(await client.callTool({ name: 'destroy_sandbox', arguments: { sandbox_name: name } }));
  expect(destroyed).toEqual({ success: true, message: expect.any(String), sandbox_id: created.id });
  const after = structuredOf(await client.callTool({ name: 'list_sandboxes', arguments: {} }));
  expect(after.sandboxes).not.toContain(name);
  const gone = await client.callTool({ name: 'shell_exec', arguments: { sandbox_id: created.id, command: 'true' } });
  expect((gone as { isError?: boolean }).isError).toBe(true);
}
