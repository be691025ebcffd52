import { ConflictError, InvalidArgumentError, NotFoundError } from '@sandboxed/plugin-sdk';
import { callOp, type AliasDeps } from './alias.deps.js';
import type { ToolCallContext } from './mcp.tool.js';

/** Names live in the sandbox's `name` label; this shape keeps them usable in a label selector. */
export const SANDBOX_NAME_SCHEMA = {
  type: 'string',
  pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$',
  description: 'Sandbox name: letters, digits, `._-`, up to 63 characters',
};

/** The `{sandbox_id | sandbox_name}` pair the aliases take. */
export const SANDBOX_ADDRESS_PROPERTIES = {
  sandbox_id: { type: 'string', description: 'Id of the sandbox (give this or sandbox_name)' },
  sandbox_name: {
    ...SANDBOX_NAME_SCHEMA,
    description: 'Name given at create_sandbox, or the id list_sandboxes shows for an unnamed one (or give sandbox_id)',
  },
};

export interface SandboxSummary {
  id: string;
  labels: Record<string, string>;
}

interface SandboxList {
  sandboxes: SandboxSummary[];
}

/** What list_sandboxes calls a sandbox: its `name` label, else its id (which sandbox_name accepts too). */
export function sandboxNameOf(sandbox: SandboxSummary): string {
  return sandbox.labels.name ?? sandbox.id;
}

/** The caller's sandbox with this `name` label; only the caller's own sandboxes are searched. */
export async function sandboxIdByName(
  deps: AliasDeps,
  ctx: ToolCallContext,
  name: string,
): Promise<string | undefined> {
  const { sandboxes } = await callOp<SandboxList>(deps, ctx, 'sandbox.list', { labels: `name=${name}` });
  if (sandboxes.length > 1) {
    throw new ConflictError(`${sandboxes.length} sandboxes are named "${name}"; address one by sandbox_id`, {
      ids: sandboxes.map((s) => s.id),
    });
  }
  return sandboxes[0]?.id;
}

/** The caller's sandbox with this id, if there is one (another tenant's is not found either). */
async function ownSandboxWithId(deps: AliasDeps, ctx: ToolCallContext, id: string): Promise<string | undefined> {
  try {
    return (await callOp<SandboxSummary>(deps, ctx, 'sandbox.get', { id })).id;
  } catch (err) {
    if (err instanceof NotFoundError) return undefined;
    throw err;
  }
}

/** The sandbox a call addresses: `sandbox_id`, or `sandbox_name` (a name, else the id of an unnamed sandbox). */
export async function resolveSandboxId(
  deps: AliasDeps,
  ctx: ToolCallContext,
  args: Record<string, unknown>,
): Promise<string> {
  if (typeof args.sandbox_id === 'string') return args.sandbox_id;
  if (typeof args.sandbox_name !== 'string') {
    const problem = 'required: give sandbox_name (or sandbox_id), the sandbox to act in';
    throw new InvalidArgumentError(`Invalid arguments: sandbox_name: ${problem}`, {
      fields: [{ path: 'sandbox_name', problems: [problem] }],
    });
  }
  const name = args.sandbox_name;
  const id = (await sandboxIdByName(deps, ctx, name)) ?? (await ownSandboxWithId(deps, ctx, name));
  if (!id) throw new NotFoundError(`No sandbox named "${name}"`);
  return id;
}
