import type { Tool } from '@modelcontextprotocol/server';
import type { ExecResult } from '@sandboxed/plugin-sdk';
import { callOp, type AliasDeps } from './alias.deps.js';
import type { McpTool } from './mcp.tool.js';
import { resolveSandboxId, SANDBOX_ADDRESS_PROPERTIES } from './sandbox-address.js';
import { seedAnswer } from './seed-result.js';

/** What code.run and code.execute return. */
type CodeResult = ExecResult & { language: string };

/** Both aliases run code that changes nothing outside its sandbox. */
const runAnnotations = (title: string): Tool['annotations'] => ({
  title,
  readOnlyHint: false,
  destructiveHint: false,
  idempotentHint: false,
  openWorldHint: false,
});

const CODE_SCHEMA = { type: 'string', minLength: 1, description: 'The program text' };
const TIMEOUT_SCHEMA = {
  type: 'number',
  exclusiveMinimum: 0,
  description: 'Seconds before the program and its children are killed (default: the gateway’s exec timeout)',
};

/** Fields both code aliases add to their seed shape. */
const RUN_DETAILS = {
  execution_time: { type: 'number', description: 'Wall time in seconds, compilation included' },
  timed_out: { type: 'boolean', description: 'True when the timeout killed it' },
  truncated: { type: 'boolean', description: 'True when output was cut at the gateway’s output cap' },
  language: { type: 'string', description: 'The language it ran as' },
};
const EXIT_CODE = { type: ['integer', 'null'], description: 'Exit code; null when it was killed or never ran' };

/** The alias's `timeout` (seconds) as the operation's `timeoutMs`. */
function timeoutMs(args: Record<string, unknown>): { timeoutMs?: number } {
  const seconds = args.timeout as number | undefined;
  return seconds === undefined ? {} : { timeoutMs: Math.max(1, Math.round(seconds * 1000)) };
}

function details(r: CodeResult) {
  return {
    execution_time: r.durationMs / 1000,
    timed_out: r.timedOut,
    truncated: r.truncated,
    language: r.language,
  };
}

const succeeded = (r: CodeResult): boolean => r.exitCode === 0 && !r.timedOut;

/** Why a run did not succeed, in words. */
function failureOf(r: CodeResult): string | undefined {
  if (r.timedOut) return `Timed out: the program was killed after ${(r.durationMs / 1000).toFixed(1)} s`;
  if (r.exitCode === null) return 'The program was killed before it exited';
  if (r.exitCode !== 0) return `The program exited with code ${r.exitCode}`;
  return undefined;
}

function runCode(deps: AliasDeps): McpTool {
  return {
    definition: {
      name: 'run_code',
      title: 'Run code in a sandbox',
      description:
        'Runs a program in a sandbox (by name or id) and answers `{success, output, exit_code, error?}`: `output` ' +
        'holds stdout and stderr interleaved in the order the program wrote them. The language defaults to the ' +
        'one the sandbox was created for, else its template’s.',
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
      outputSchema: {
        type: 'object',
        properties: {
          success: { type: 'boolean', description: 'True when it exited with code 0 in time' },
          output: { type: 'string', description: 'stdout and stderr, interleaved as written' },
          exit_code: EXIT_CODE,
          error: { type: 'string', description: 'Why it did not succeed (absent on success)' },
          sandbox_id: { type: 'string', description: 'Id of the sandbox it ran in' },
          ...RUN_DETAILS,
        },
        required: ['success', 'output', 'exit_code'],
      },
      annotations: runAnnotations('Run code in a sandbox'),
    } as Tool,
    operations: ['code.run'],
    call: (args, ctx) =>
      seedAnswer(
        async () => {
          const sandboxId = await resolveSandboxId(deps, ctx, args);
          const language = args.language as string | undefined;
          // Merged inside the sandbox (2>&1), the only place the order of the two streams is known.
          const input = {
            code: args.code as string,
            ...(language ? { language } : {}),
            ...timeoutMs(args),
            mergeStderr: true,
          };
          const r = await callOp<CodeResult>(deps, ctx, 'code.run', input, sandboxId);
          const error = failureOf(r);
          return {
            success: succeeded(r),
            output: r.stdout + r.stderr,
            exit_code: r.exitCode,
            ...(error ? { error } : {}),
            sandbox_id: sandboxId,
            ...details(r),
          };
        },
        (message) => ({ success: false, output: '', exit_code: null, error: message }),
      ),
  };
}

function executePython(deps: AliasDeps): McpTool {
  return {
    definition: {
      name: 'execute_python',
      title: 'Run Python in a fresh sandbox',
      description:
        'Runs Python code in a new sandbox that is destroyed afterwards, and answers ' +
        '`{stdout, stderr, exit_code, execution_time, success}` (execution_time in seconds).',
      inputSchema: {
        type: 'object',
        properties: { code: CODE_SCHEMA, timeout: TIMEOUT_SCHEMA },
        required: ['code'],
        additionalProperties: false,
      },
      outputSchema: {
        type: 'object',
        properties: {
          stdout: { type: 'string', description: 'Standard output' },
          stderr: { type: 'string', description: 'Standard error' },
          exit_code: EXIT_CODE,
          success: { type: 'boolean', description: 'True when it exited with code 0 in time' },
          error: { type: 'string', description: 'Why it could not run (absent when it ran)' },
          ...RUN_DETAILS,
        },
        required: ['stdout', 'stderr', 'exit_code', 'execution_time', 'success'],
      },
      annotations: runAnnotations('Run Python in a fresh sandbox'),
    } as Tool,
    operations: ['code.execute'],
    call: (args, ctx) =>
      seedAnswer(
        async () => {
          const input = { language: 'python', code: args.code as string, ...timeoutMs(args) };
          const r = await callOp<CodeResult>(deps, ctx, 'code.execute', input);
          return { stdout: r.stdout, stderr: r.stderr, exit_code: r.exitCode, success: succeeded(r), ...details(r) };
        },
        (message) => ({ stdout: '', stderr: '', exit_code: null, execution_time: 0, success: false, error: message }),
      ),
  };
}

/** `run_code` and `execute_python` over capability-code's `code.run` and `code.execute`, in the seed shapes. */
export function codeAliasTools(deps: AliasDeps): McpTool[] {
  return [runCode(deps), executePython(deps)];
}
