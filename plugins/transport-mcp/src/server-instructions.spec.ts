import { describe, expect, it } from '@jest/globals';
import type { McpTool } from './mcp.tool.js';
import { serverInstructions } from './server-instructions.js';
import { ToolSet } from './tool.set.js';

const set = (...names: string[]): ToolSet =>
  new ToolSet(
    'p',
    names.map(
      (name) => ({ definition: { name, inputSchema: { type: 'object' } }, operations: [] }) as unknown as McpTool,
    ),
    () => () => undefined,
  );

describe('serverInstructions', () => {
  it('names only the tools the profile lists', () => {
    const core = serverInstructions(
      set('sandbox_create', 'shell_exec', 'code_run', 'files_read', 'sandbox_delete', 'process_wait'),
    );
    expect(core).toBe(
      'Sandboxes are isolated machines for running code. Create one with `sandbox_create`, run programs with ' +
        '`shell_exec` or `code_run`, read and write files with the files_* tools, and delete it with `sandbox_delete` ' +
        'when done. A long command comes back as a process id and cursor: continue it with `process_wait`.',
    );
    expect(core).not.toMatch(/create_sandbox|run_code|destroy_sandbox|execute_python/);
    const agent = serverInstructions(set('sandbox_create', 'bash', 'read', 'write', 'sandbox_delete'));
    expect(agent).toContain('run programs with `bash`, read and write files with `read`, `write` and `edit`');
  });

  it('gives a profile bound to one sandbox no advice to create one', () => {
    expect(serverInstructions(set('bash', 'read'))).toBe(
      'This endpoint works in one sandbox, run programs with `bash`, read and write files with `read`, `write` and `edit`.',
    );
  });
});
