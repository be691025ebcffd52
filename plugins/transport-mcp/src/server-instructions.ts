import type { ToolSet } from './tool.set.js';

/** The first of `names` the profile lists, in backticks. */
function first(tools: ToolSet, names: string[]): string | undefined {
  const name = names.find((n) => tools.get(n));
  return name && `\`${name}\``;
}

/**
 * The server's `instructions`, naming the tools this profile actually lists (a profile without
 * lifecycle tools, say one bound to a sandbox, gets no advice to create one).
 */
export function serverInstructions(tools: ToolSet): string {
  const create = first(tools, ['sandbox_create', 'create_sandbox']);
  const run = [first(tools, ['bash', 'shell_exec']), first(tools, ['code_run', 'run_code'])].filter(Boolean);
  const files = tools.get('read')
    ? '`read`, `write` and `edit`'
    : tools.get('files_read')
      ? 'the files_* tools'
      : undefined;
  const destroy = first(tools, ['sandbox_delete', 'destroy_sandbox']);
  const wait = first(tools, ['process_wait']);
  const parts = [
    create
      ? `Sandboxes are isolated machines for running code. Create one with ${create}`
      : 'This endpoint works in one sandbox',
    run.length ? `run programs with ${run.join(' or ')}` : undefined,
    files ? `read and write files with ${files}` : undefined,
    destroy ? `and delete it with ${destroy} when done` : undefined,
  ].filter(Boolean);
  const text = `${parts.join(', ')}.`;
  return wait ? `${text} A long command comes back as a process id and cursor: continue it with ${wait}.` : text;
}
