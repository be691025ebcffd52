import { randomBytes } from 'node:crypto';
import { expect } from '@jest/globals';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { structuredOf } from '@sandboxed/testing';

export const ALIASES = ['create_sandbox', 'run_code', 'destroy_sandbox', 'list_sandboxes', 'execute_python'];

/** The acceptance walk every transport must pass: create → run_code/shell_exec → files_write → files_read → destroy. */
export async function sandboxWorkflow(client: Client): Promise<void> {
  const name = `wf-${randomBytes(4).toString('hex')}`;
  const created = structuredOf(
    await client.callTool({ name: 'create_sandbox', arguments: { name, language: 'python' } }),
  );
  expect(created).toMatchObject({ id: expect.any(String), status: 'running', labels: { name, language: 'python' } });

  const code = structuredOf(
    await client.callTool({
      name: 'run_code',
      arguments: { sandbox_name: name, code: 'import sys\nprint(6 * 7)\nprint("oops", file=sys.stderr)' },
    }),
  );
  expect(code).toMatchObject({ stdout: '42\n', stderr: 'oops\n', exitCode: 0, timedOut: false, language: 'python' });

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
  expect(listed.sandboxes.map((s: { id: string }) => s.id)).toContain(created.id);

  const destroyed = structuredOf(await client.callTool({ name: 'destroy_sandbox', arguments: { sandbox_name: name } }));
  expect(destroyed).toEqual({ sandbox_id: created.id, destroyed: true });
  const after = structuredOf(await client.callTool({ name: 'list_sandboxes', arguments: {} }));
  expect(after.sandboxes.map((s: { id: string }) => s.id)).not.toContain(created.id);
  const gone = await client.callTool({ name: 'shell_exec', arguments: { sandbox_id: created.id, command: 'true' } });
  expect(gone.isError).toBe(true);
}
