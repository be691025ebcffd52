import { randomBytes } from 'node:crypto';
import type { CallToolResult, Tool } from '@modelcontextprotocol/sdk/types.js';
import { InvalidArgumentError } from '@sandboxed/plugin-sdk';
import { callOp, type AliasDeps } from './alias.deps.js';
import { LANGUAGE_NAMES, languageFor, type CodeLanguage } from './code-language.js';
import type { McpTool, ToolCallContext } from './mcp.tool.js';
import { resolveSandboxId, SANDBOX_ADDRESS_PROPERTIES } from './sandbox-address.js';
import { toolResult } from './tool-result.js';

const CLEANUP_MS = 30_000;

const CODE_SCHEMA = { type: 'string', minLength: 1, description: 'The program text' };
const TIMEOUT_SCHEMA = {
  type: 'number',
  exclusiveMinimum: 0,
  description: 'Seconds before the program and its children are killed (default: the gateway’s exec timeout)',
};

/** Runs code as a file: written with files.write, run by the language's interpreter with shell.exec. */
async function runCodeIn(
  deps: AliasDeps,
  ctx: ToolCallContext,
  sandboxId: string,
  language: CodeLanguage,
  code: string,
  timeoutSeconds?: number,
): Promise<CallToolResult> {
  const path = `.sandboxed/run-${randomBytes(8).toString('hex')}.${language.extension}`;
  await callOp(deps, ctx, 'files.write', { path, content: code }, sandboxId);
  try {
    const timeout = timeoutSeconds === undefined ? {} : { timeoutMs: Math.max(1, Math.round(timeoutSeconds * 1000)) };
    return toolResult(
      await callOp(deps, ctx, 'shell.exec', { argv: [...language.interpreter, path], ...timeout }, sandboxId),
    );
  } finally {
    // Its own signal: a cancelled call still removes its file.
    const cleanup = { ...ctx, signal: AbortSignal.timeout(CLEANUP_MS) };
    await callOp(deps, cleanup, 'shell.exec', { argv: ['rm', '-f', path] }, sandboxId).catch((err: Error) =>
      deps.warn(`run_code: could not remove ${path} in sandbox ${sandboxId}: ${err.message}`),
    );
  }
}

async function sandboxLanguage(deps: AliasDeps, ctx: ToolCallContext, sandboxId: string): Promise<string | undefined> {
  const info = await callOp<{ labels?: Record<string, string> }>(deps, ctx, 'sandbox.get', { id: sandboxId });
  return info.labels?.language;
}

function runCode(deps: AliasDeps): McpTool {
  const outputSchema = deps.outputSchemaOf('shell.exec');
  return {
    definition: {
      name: 'run_code',
      title: 'Run code in a sandbox',
      description:
        'Runs a program in a sandbox (by id or name) and returns its stdout, stderr and exit code. The language defaults ' +
        'to the one the sandbox was created for, else python.',
      inputSchema: {
        type: 'object',
        properties: {
          ...SANDBOX_ADDRESS_PROPERTIES,
          code: CODE_SCHEMA,
          language: { type: 'string', enum: [...LANGUAGE_NAMES], description: 'Language of the code' },
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
    operations: ['files.write', 'shell.exec'],
    async call(args, ctx) {
      const sandboxId = await resolveSandboxId(deps, ctx, args);
      const name = (args.language as string | undefined) ?? (await sandboxLanguage(deps, ctx, sandboxId)) ?? 'python';
      const language = languageFor(name);
      if (!language) throw new InvalidArgumentError(`Unknown language "${name}"`);
      return runCodeIn(deps, ctx, sandboxId, language, args.code as string, args.timeout as number | undefined);
    },
  };
}

function executePython(deps: AliasDeps): McpTool {
  const outputSchema = deps.outputSchemaOf('shell.exec');
  const python = languageFor('python')!;
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
    operations: ['sandbox.create', 'files.write', 'shell.exec'],
    async call(args, ctx) {
      const template = deps.templateFor(python);
      const created = await callOp<{ id: string }>(deps, ctx, 'sandbox.create', {
        labels: { language: python.id },
        ...(template ? { template } : {}),
      });
      try {
        return await runCodeIn(deps, ctx, created.id, python, args.code as string, args.timeout as number | undefined);
      } finally {
        const cleanup = { ...ctx, signal: AbortSignal.timeout(CLEANUP_MS) };
        await callOp(deps, cleanup, 'sandbox.delete', { id: created.id }).catch((err: Error) =>
          deps.warn(`execute_python: could not destroy sandbox ${created.id} (its TTL will): ${err.message}`),
        );
      }
    },
  };
}

/** `run_code` and `execute_python`, built on files.write + shell.exec until a code capability exists. */
export function codeAliasTools(deps: AliasDeps): McpTool[] {
  return [runCode(deps), executePython(deps)];
}
