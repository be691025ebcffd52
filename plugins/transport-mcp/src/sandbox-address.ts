import { ErrorCode, McpError } from '@modelcontextprotocol/sdk/types.js';
import { ConflictError, NotFoundError } from '@sandboxed/plugin-sdk';
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
  sandbox_name: { ...SANDBOX_NAME_SCHEMA, description: 'Name given at create_sandbox (give this or sandbox_id)' },
};

interface SandboxList {
  sandboxes: Array<{ id: string; labels: Record<string, string> }>;
}

/** Finds the caller's sandbox by name; only the caller's own sandboxes are searched. */
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

export async function resolveSandboxId(
  deps: AliasDeps,
  ctx: ToolCallContext,
  args: Record<string, unknown>,
): Promise<string> {
  if (typeof args.sandbox_id === 'string') return args.sandbox_id;
  if (typeof args.sandbox_name !== 'string')
    throw new McpError(ErrorCode.InvalidParams, 'Give sandbox_id or sandbox_name');
  const id = await sandboxIdByName(deps, ctx, args.sandbox_name);
  if (!id) throw new NotFoundError(`No sandbox named "${args.sandbox_name}"`);
  return id;
}
