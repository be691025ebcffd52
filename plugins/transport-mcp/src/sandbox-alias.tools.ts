import type { Tool } from '@modelcontextprotocol/sdk/types.js';
import { ConflictError, InvalidArgumentError } from '@sandboxed/plugin-sdk';
import { callOp, type AliasDeps } from './alias.deps.js';
import type { McpTool, ToolCallContext } from './mcp.tool.js';
import {
  resolveSandboxId,
  SANDBOX_ADDRESS_PROPERTIES,
  SANDBOX_NAME_SCHEMA,
  sandboxIdByName,
} from './sandbox-address.js';
import { toolResult } from './tool-result.js';

interface LanguageEntry {
  name: string;
  aliases: string[];
  template: string;
}

/**
 * The language and its template, as capability-code's `code.languages` reports them (operator overrides
 * included). Without capability-code, templates are named after languages (`python`, `node`, ...).
 */
async function languageNamed(deps: AliasDeps, ctx: ToolCallContext, name: string): Promise<LanguageEntry> {
  const wanted = name.toLowerCase();
  if (!deps.hasOperation('code.languages')) return { name: wanted, aliases: [], template: wanted };
  const { languages } = await callOp<{ languages: LanguageEntry[] }>(deps, ctx, 'code.languages', {});
  const hit = languages.find((l) => l.name === wanted || l.aliases.includes(wanted));
  if (!hit) {
    throw new InvalidArgumentError(`Unknown language "${name}"; supported: ${languages.map((l) => l.name).join(', ')}`);
  }
  return hit;
}

function createSandbox(deps: AliasDeps): McpTool {
  const outputSchema = deps.outputSchemaOf('sandbox.create');
  return {
    definition: {
      name: 'create_sandbox',
      title: 'Create a sandbox',
      description:
        'Creates an isolated sandbox for a language and returns it. Give it a `name` to address it by name later ' +
        '(run_code, destroy_sandbox). Same as sandbox_create, with the template picked from the language.',
      inputSchema: {
        type: 'object',
        properties: {
          name: SANDBOX_NAME_SCHEMA,
          language: {
            ...(deps.inputPropertyOf('code.execute', 'language') ?? { type: 'string' }),
            description: 'Language the sandbox is for; picks its template',
          },
          labels: { type: 'object', additionalProperties: { type: 'string' }, description: 'Free-form labels' },
        },
        required: ['language'],
        additionalProperties: false,
      },
      ...(outputSchema ? { outputSchema } : {}),
      annotations: {
        title: 'Create a sandbox',
        readOnlyHint: false,
        destructiveHint: false,
        idempotentHint: false,
        openWorldHint: false,
      },
    } as Tool,
    operations: ['sandbox.create'],
    async call(args, ctx) {
      const language = await languageNamed(deps, ctx, String(args.language));
      const name = args.name as string | undefined;
      if (name && (await sandboxIdByName(deps, ctx, name))) {
        throw new ConflictError(`You already have a sandbox named "${name}"`);
      }
      const labels = {
        ...((args.labels as Record<string, string> | undefined) ?? {}),
        language: language.name,
        ...(name ? { name } : {}),
      };
      return toolResult(await callOp(deps, ctx, 'sandbox.create', { labels, template: language.template }));
    },
  };
}

function destroySandbox(deps: AliasDeps): McpTool {
  return {
    definition: {
      name: 'destroy_sandbox',
      title: 'Destroy a sandbox',
      description: 'Destroys a sandbox, by id or name, and everything in it.',
      inputSchema: { type: 'object', properties: SANDBOX_ADDRESS_PROPERTIES, additionalProperties: false },
      outputSchema: {
        type: 'object',
        properties: { sandbox_id: { type: 'string' }, destroyed: { type: 'boolean' } },
        required: ['sandbox_id', 'destroyed'],
      },
      annotations: {
        title: 'Destroy a sandbox',
        readOnlyHint: false,
        destructiveHint: true,
        idempotentHint: false,
        openWorldHint: false,
      },
    },
    operations: ['sandbox.delete'],
    async call(args, ctx) {
      const id = await resolveSandboxId(deps, ctx, args);
      await callOp(deps, ctx, 'sandbox.delete', { id });
      return toolResult({ sandbox_id: id, destroyed: true });
    },
  };
}

function listSandboxes(deps: AliasDeps): McpTool {
  const outputSchema = deps.outputSchemaOf('sandbox.list');
  return {
    definition: {
      name: 'list_sandboxes',
      title: 'List your sandboxes',
      description: 'Lists your live sandboxes as `{sandboxes, count}`; a sandbox’s name is its `name` label.',
      inputSchema: { type: 'object', properties: {}, additionalProperties: false },
      ...(outputSchema ? { outputSchema } : {}),
      annotations: {
        title: 'List your sandboxes',
        readOnlyHint: true,
        destructiveHint: false,
        idempotentHint: true,
        openWorldHint: false,
      },
    } as Tool,
    operations: ['sandbox.list'],
    async call(_args, ctx) {
      return toolResult(await callOp(deps, ctx, 'sandbox.list', {}));
    },
  };
}

/** `create_sandbox`, `destroy_sandbox`, `list_sandboxes`: the names clients of the seed systems call. */
export function sandboxAliasTools(deps: AliasDeps): McpTool[] {
  return [createSandbox(deps), destroySandbox(deps), listSandboxes(deps)];
}
