import type { Tool } from '@modelcontextprotocol/server';
import type { McpTool } from './mcp.tool.js';
import { SANDBOX_ID_ARG } from './operation-tool.factory.js';

/** What a bound endpoint's path may name as its sandbox (ids are 32 hex digits; this only keeps the key sane). */
const SANDBOX_ID_SEGMENT = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/** The arguments that address a sandbox, which a bound endpoint sets itself. */
const ADDRESS_ARGS = [SANDBOX_ID_ARG, 'sandbox_name'];

/** An endpoint: a profile, optionally bound to one sandbox. */
export interface Endpoint {
  profile: string;
  sandboxId?: string;
}

/** `agent` for `/mcp/agent`, `agent/<sandbox-id>` for `/mcp/agent/<sandbox-id>`: the key a session is opened on. */
export function endpointKey(profile: string, sandboxId?: string): string {
  return sandboxId === undefined ? profile : `${profile}/${sandboxId}`;
}

/** The endpoint a key names; undefined when the sandbox part is not a plausible id. */
export function parseEndpointKey(key: string): Endpoint | undefined {
  const slash = key.indexOf('/');
  if (slash < 0) return { profile: key };
  const sandboxId = key.slice(slash + 1);
  return SANDBOX_ID_SEGMENT.test(sandboxId) ? { profile: key.slice(0, slash), sandboxId } : undefined;
}

const addressesSandbox = (definition: Tool): boolean =>
  Object.hasOwn((definition.inputSchema.properties ?? {}) as object, SANDBOX_ID_ARG);

/** A tool as a bound endpoint lists it; `binds` when its calls get the endpoint's sandbox. */
export interface BoundForm {
  tool: McpTool;
  binds: boolean;
}

/**
 * How a tool looks on an endpoint bound to one sandbox: a tool that takes `sandbox_id` loses it (and
 * `sandbox_name`) from its schema, so the arguments cannot name another sandbox; a tool that manages
 * sandboxes (`sandbox.*` operations and their aliases) is left out, the binding being the sandbox; any
 * other tool (`web_fetch`) is unchanged. Undefined means left out.
 */
export function boundForm(tool: McpTool): BoundForm | undefined {
  if (!addressesSandbox(tool.definition)) {
    return tool.operations.some((op) => op.startsWith('sandbox.')) ? undefined : { tool, binds: false };
  }
  const { required: allRequired, properties: allProperties, ...schema } = tool.definition.inputSchema;
  const properties = Object.fromEntries(
    Object.entries(allProperties ?? {}).filter(([name]) => !ADDRESS_ARGS.includes(name)),
  );
  const required = (allRequired ?? []).filter((name) => !ADDRESS_ARGS.includes(name));
  const inputSchema = { ...schema, properties, ...(required.length ? { required } : {}) };
  return { tool: { ...tool, definition: { ...tool.definition, inputSchema } as Tool }, binds: true };
}

/** The tool of a bound form, acting in `sandboxId` whatever the arguments say. */
export function bindTool(form: BoundForm, sandboxId: string): McpTool {
  if (!form.binds) return form.tool;
  const { tool } = form;
  const bound = (args: Record<string, unknown>): Record<string, unknown> => ({
    ...Object.fromEntries(Object.entries(args).filter(([name]) => !ADDRESS_ARGS.includes(name))),
    [SANDBOX_ID_ARG]: sandboxId,
  });
  const { task } = tool;
  return {
    ...tool,
    call: (args, ctx) => tool.call(bound(args), ctx),
    ...(task ? { task: { ...task, start: (args, ctx, requested) => task.start(bound(args), ctx, requested) } } : {}),
  };
}
