import type { Tool } from '@modelcontextprotocol/server';
import { ConflictError, InvalidArgumentError, type JsonSchema } from '@sandboxed/plugin-sdk';
import { callOp, type AliasDeps } from './alias.deps.js';
import type { McpTool, ToolCallContext } from './mcp.tool.js';
import {
  resolveSandboxId,
  SANDBOX_ADDRESS_PROPERTIES,
  SANDBOX_NAME_SCHEMA,
  sandboxIdByName,
  sandboxNameOf,
  type SandboxSummary,
} from './sandbox-address.js';
import { seedAnswer } from './seed-result.js';
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

/** `{success, message}`: what the seed systems answer for create and destroy. */
const SUCCESS_MESSAGE = {
  success: { type: 'boolean', description: 'Whether it was done' },
  message: { type: 'string', description: 'What happened, or why not' },
};

const SANDBOX_ID_OUT = { type: 'string', description: 'Id of the sandbox (sandbox_id in every other tool)' };

function createSandbox(deps: AliasDeps): McpTool {
  return {
    definition: {
      name: 'create_sandbox',
      title: 'Create a sandbox',
      description:
        'Creates an isolated sandbox for a language. Give it a `name` to address it by name later (run_code, ' +
        'destroy_sandbox). Answers `{success, message, sandbox_id}`; a name you already use answers ' +
        '`{success: false, message}`. Same as sandbox_create, with the template picked from the language.',
      inputSchema: {
        type: 'object',
        properties: {
          name: { ...SANDBOX_NAME_SCHEMA, description: `${SANDBOX_NAME_SCHEMA.description}; unique among yours` },
          language: {
            ...(deps.inputPropertyOf('code.execute', 'language') ?? { type: 'string' }),
            description: 'Language the sandbox is for; picks its template',
          },
          namespace: {
            ...SANDBOX_NAME_SCHEMA,
            description:
              'Accepted for clients of Kubernetes-based sandbox servers: kept as the sandbox’s `namespace` label ' +
              '(names stay unique across namespaces)',
          },
          labels: { type: 'object', additionalProperties: { type: 'string' }, description: 'Free-form labels' },
        },
        required: ['language'],
        additionalProperties: false,
      },
      outputSchema: {
        type: 'object',
        properties: {
          ...SUCCESS_MESSAGE,
          sandbox_id: SANDBOX_ID_OUT,
          name: { type: 'string', description: 'Its name (its id when none was given)' },
          language: { type: 'string', description: 'Canonical name of its language' },
          namespace: { type: 'string', description: 'The namespace given' },
          sandbox: deps.outputSchemaOf('sandbox.create') ?? { type: 'object' },
        },
        required: ['success', 'message'],
      },
      annotations: {
        title: 'Create a sandbox',
        readOnlyHint: false,
        destructiveHint: false,
        idempotentHint: false,
        openWorldHint: false,
      },
    } as Tool,
    operations: ['sandbox.create'],
    call: (args, ctx) =>
      seedAnswer(
        async () => {
          const language = await languageNamed(deps, ctx, String(args.language));
          const name = args.name as string | undefined;
          const namespace = args.namespace as string | undefined;
          if (name && (await sandboxIdByName(deps, ctx, name))) {
            throw new ConflictError(
              `You already have a sandbox named "${name}"; pick another name or destroy it first`,
            );
          }
          const labels = {
            ...((args.labels as Record<string, string> | undefined) ?? {}),
            language: language.name,
            ...(name ? { name } : {}),
            ...(namespace ? { namespace } : {}),
          };
          const sandbox = await callOp<SandboxSummary>(deps, ctx, 'sandbox.create', {
            labels,
            template: language.template,
          });
          const called = name ?? sandbox.id;
          return {
            success: true,
            message: `Sandbox "${called}" created for ${language.name}`,
            sandbox_id: sandbox.id,
            name: called,
            language: language.name,
            ...(namespace ? { namespace } : {}),
            sandbox,
          };
        },
        (message) => ({ success: false, message }),
      ),
  };
}

function destroySandbox(deps: AliasDeps): McpTool {
  return {
    definition: {
      name: 'destroy_sandbox',
      title: 'Destroy a sandbox',
      description:
        'Destroys a sandbox, by name or id, and everything in it. Answers `{success, message}`; an unknown name ' +
        'answers `{success: false, message}`.',
      inputSchema: { type: 'object', properties: SANDBOX_ADDRESS_PROPERTIES, additionalProperties: false },
      outputSchema: {
        type: 'object',
        properties: { ...SUCCESS_MESSAGE, sandbox_id: SANDBOX_ID_OUT },
        required: ['success', 'message'],
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
    call: (args, ctx) =>
      seedAnswer(
        async () => {
          const id = await resolveSandboxId(deps, ctx, args);
          await callOp(deps, ctx, 'sandbox.delete', { id });
          const called = typeof args.sandbox_name === 'string' ? args.sandbox_name : id;
          return { success: true, message: `Sandbox "${called}" destroyed`, sandbox_id: id };
        },
        (message) => ({ success: false, message }),
      ),
  };
}

function listSandboxes(deps: AliasDeps): McpTool {
  const listSchema = deps.outputSchemaOf('sandbox.list');
  const details = (listSchema?.properties as Record<string, JsonSchema> | undefined)?.sandboxes ?? { type: 'array' };
  return {
    definition: {
      name: 'list_sandboxes',
      title: 'List your sandboxes',
      description:
        'Lists your live sandboxes as `{sandboxes: [names], count}`. A sandbox’s name is the one given at ' +
        'create_sandbox, else its id; `details` has each one in full.',
      inputSchema: { type: 'object', properties: {}, additionalProperties: false },
      outputSchema: {
        type: 'object',
        properties: {
          sandboxes: { type: 'array', items: { type: 'string' }, description: 'Their names (the id when unnamed)' },
          count: { type: 'integer', description: 'How many' },
          details: { ...details, description: 'Each sandbox in full, in the same order' },
        },
        required: ['sandboxes', 'count'],
      },
      annotations: {
        title: 'List your sandboxes',
        readOnlyHint: true,
        destructiveHint: false,
        idempotentHint: true,
        openWorldHint: false,
      },
    } as Tool,
    operations: ['sandbox.list'],
    // No failure shape: an empty list would hide the failure, so an error stays an isError result.
    async call(_args, ctx) {
      const { sandboxes } = await callOp<{ sandboxes: SandboxSummary[] }>(deps, ctx, 'sandbox.list', {});
      return toolResult({ sandboxes: sandboxes.map(sandboxNameOf), count: sandboxes.length, details: sandboxes });
    },
  };
}

/** `create_sandbox`, `destroy_sandbox`, `list_sandboxes`: the names and shapes clients of the seed systems use. */
export function sandboxAliasTools(deps: AliasDeps): McpTool[] {
  return [createSandbox(deps), destroySandbox(deps), listSandboxes(deps)];
}
