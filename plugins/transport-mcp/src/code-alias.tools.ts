import type { Tool } from '@modelcontextprotocol/sdk/types.js';
import { callOp, type AliasDeps } from './alias.deps.js';
import type { McpTool } from './mcp.tool.js';
import { resolveSandboxId, SANDBOX_ADDRESS_PROPERTIES } from './sandbox-address.js';
import { toolResult } from './tool-result.js';

const CODE_SCHEMA = { type: 'string', minLength: 1, description: 'The program text' };
const TIMEOUT_SCHEMA = {
  type: 'number',
  exclusiveMinimum: 0,
  description: 'Seconds before the program and its children are killed (default: the gateway’s exec timeout)',
};

/** The alias's `timeout` (seconds) as the operation's `timeoutMs`. */
function timeoutMs(args: Record<string, unknown>): { timeoutMs?: number } {
  const seconds = args.timeout as number | undefined;
  return seconds === undefined ? {} : { timeoutMs: Math.max(1, Math.round(seconds * 1000)) };
}

function runCode(deps: AliasDeps): McpTool {
  const outputSchema = deps.outputSchemaOf('code.run');
  return {
    definition: {
      name: 'run_code',
      title: 'Run code in a sandbox',
      description:
        'Runs a program in a sandbox (by id or name) and returns its stdout, stderr and exit code. The language ' +
        'defaults to the one the sandbox was created for, else its template’s.',
      inputSchema: {
        type: 'object',
        properties: {
          ...SANDBOX_ADDRESS_PROPERTIES,
          code: CODE_SCHEMA,
          language: {
            ...(deps.inputPropertyOf('code.run', 'language') ?? { type: 'string' }),
            description: 'Language of the code',
          },
          timeout: TIMEOUT_SCHEMA,
        },
        required: ['code'],
        additionalProperties: false,
      },
      ...(outputSchema ? { outputSchema } : {}),
      annotations: {
        title: 'Run code in a sandbox',
        readOnlyHint: false,
        destructiveHint: false,
        idempotentHint: false,
        openWorldHint: false,
      },
    } as Tool,
    operations: ['code.run'],
    async call(args, ctx) {
      const sandboxId = await resolveSandboxId(deps, ctx, args);
      const language = args.language as string | undefined;
      const input = { code: args.code as string, ...(language ? { language } : {}), ...timeoutMs(args) };
      return toolResult(await callOp(deps, ctx, 'code.run', input, sandboxId));
    },
  };
}

function executePython(deps: AliasDeps): McpTool {
  const outputSchema = deps.outputSchemaOf('code.execute');
  return {
    definition: {
      name: 'execute_python',
      title: 'Run Python in a fresh sandbox',
      description:
        'Runs Python code in a new sandbox that is destroyed afterwards, and returns its stdout, stderr and exit code.',
      inputSchema: {
        type: 'object',
        properties: { code: CODE_SCHEMA, timeout: TIMEOUT_SCHEMA },
        required: ['code'],
        additionalProperties: false,
      },
      ...(outputSchema ? { outputSchema } : {}),
      annotations: {
        title: 'Run Python in a fresh sandbox',
        readOnlyHint: false,
        destructiveHint: false,
        idempotentHint: false,
        openWorldHint: false,
      },
    } as Tool,
    operations: ['code.execute'],
    async call(args, ctx) {
      const input = { language: 'python', code: args.code as string, ...timeoutMs(args) };
      return toolResult(await callOp(deps, ctx, 'code.execute', input));
    },
  };
}

/** `run_code` and `execute_python`: thin aliases of capability-code's `code.run` and `code.execute`. */
export function codeAliasTools(deps: AliasDeps): McpTool[] {
  return [runCode(deps), executePython(deps)];
}
