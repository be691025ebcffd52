import { ConflictError, InvalidArgumentError, SandboxedError } from '@sandboxed/plugin-sdk';
import { callOp, type AliasDeps } from './alias.deps.js';
import {
  agentAnnotations,
  agentInputSchema,
  agentResult,
  agentTool,
  opProperty,
  sandboxOf,
} from './agent-tool.support.js';
import { lineWindow } from './line-numbered.js';
import type { McpTool } from './mcp.tool.js';

/** Lines `read` shows when no `limit` is given. */
export const DEFAULT_READ_LINES = 2000;

const PATH_RULES =
  'Relative paths resolve against the sandbox workdir; absolute ones reach anywhere in the sandbox (e.g. /tmp)';

const filePath = (deps: AliasDeps, opId: string, what: string) =>
  opProperty(deps, opId, 'path', `${what}. ${PATH_RULES}`);

function readTool(deps: AliasDeps): McpTool {
  return agentTool({
    definition: {
      name: 'read',
      title: 'Read a file',
      description:
        `Reads a text file and returns its lines numbered like \`cat -n\` (line number, tab, text), at most ` +
        `${DEFAULT_READ_LINES} from \`offset\` (1-based) unless \`limit\` says otherwise; lines over 2000 ` +
        'characters are cut. Page through long files with offset and limit.',
      inputSchema: agentInputSchema(
        {
          file_path: filePath(deps, 'files.read', 'File to read'),
          offset: { type: 'integer', minimum: 0, description: 'Line number to start at (1 = first line)' },
          limit: { type: 'integer', minimum: 1, description: `How many lines (default ${DEFAULT_READ_LINES})` },
        },
        ['file_path'],
      ),
      annotations: agentAnnotations('Read a file', 'read'),
    },
    operations: ['files.read'],
    async call(args, ctx) {
      const { path, content } = await callOp<{ path: string; content: string }>(
        deps,
        ctx,
        'files.read',
        { path: args.file_path },
        sandboxOf(args),
      );
      if (content.includes('\u0000')) {
        throw new InvalidArgumentError(`'${path}' is a binary file; read shows text files only`, { path });
      }
      const offset = (args.offset as number | undefined) ?? 1;
      const w = lineWindow(content, offset, (args.limit as number | undefined) ?? DEFAULT_READ_LINES);
      const facts = { file_path: path, first_line: w.first, last_line: w.last, total_lines: w.total };
      if (w.total === 0) return agentResult(`(${path} is empty)`, facts);
      if (w.first === 0) {
        throw new InvalidArgumentError(`'${path}' has ${w.total} lines; offset ${offset} is past the end`, {
          path,
          totalLines: w.total,
        });
      }
      const more =
        w.last < w.total ? `\n(lines ${w.first}-${w.last} of ${w.total}; offset ${w.last + 1} reads on)` : '';
      return agentResult(w.text + more, facts);
    },
  });
}

function writeTool(deps: AliasDeps): McpTool {
  return agentTool({
    definition: {
      name: 'write',
      title: 'Write a file',
      description: 'Creates or replaces a text file with `content`, creating parent directories.',
      inputSchema: agentInputSchema(
        {
          file_path: filePath(deps, 'files.write', 'File to write'),
          content: opProperty(deps, 'files.write', 'content', 'The whole new content'),
        },
        ['file_path', 'content'],
      ),
      annotations: agentAnnotations('Write a file', 'write'),
    },
    operations: ['files.write'],
    async call(args, ctx) {
      const input = { path: args.file_path, content: args.content };
      const { path, size } = await callOp<{ path: string; size: number }>(
        deps,
        ctx,
        'files.write',
        input,
        sandboxOf(args),
      );
      return agentResult(`Wrote ${size} bytes to ${path}`, { file_path: path, bytes: size });
    },
  });
}

/** files.edit's conflicts, in the names of edit's arguments. */
function editConflict(err: SandboxedError, filePath: unknown): SandboxedError {
  const details = (err.details ?? {}) as { occurrences?: number; path?: string };
  const path = details.path ?? String(filePath);
  if (details.occurrences === 0) return new ConflictError(`old_string not found in '${path}'`, err.details);
  if (typeof details.occurrences === 'number') {
    return new ConflictError(
      `old_string occurs ${details.occurrences} times in '${path}'; add surrounding lines to make it unique, or set replace_all`,
      err.details,
    );
  }
  return err;
}

function editTool(deps: AliasDeps): McpTool {
  return agentTool({
    definition: {
      name: 'edit',
      title: 'Edit a file',
      description:
        'Replaces `old_string` with `new_string` in a text file. `old_string` must occur exactly once unless ' +
        '`replace_all` is set; otherwise the edit fails and says how often it occurs (or that it does not).',
      inputSchema: agentInputSchema(
        {
          file_path: filePath(deps, 'files.edit', 'File to edit'),
          old_string: opProperty(deps, 'files.edit', 'oldText', 'Exact text to replace (not a regex)'),
          new_string: opProperty(deps, 'files.edit', 'newText', 'The text to put there instead'),
          replace_all: { type: 'boolean', description: 'Replace every occurrence (default false)' },
        },
        ['file_path', 'old_string', 'new_string'],
      ),
      annotations: agentAnnotations('Edit a file', 'write'),
    },
    operations: ['files.edit'],
    async call(args, ctx) {
      if (args.old_string === args.new_string) {
        throw new InvalidArgumentError('old_string and new_string are the same: there is nothing to change');
      }
      const input = {
        path: args.file_path,
        oldText: args.old_string,
        newText: args.new_string,
        ...(args.replace_all === true ? { replaceAll: true } : {}),
      };
      try {
        const r = await callOp<{ path: string; replacements: number }>(deps, ctx, 'files.edit', input, sandboxOf(args));
        const times = r.replacements === 1 ? 'once' : `${r.replacements} times`;
        return agentResult(`Replaced old_string ${times} in ${r.path}`, {
          file_path: r.path,
          replacements: r.replacements,
        });
      } catch (err) {
        throw err instanceof SandboxedError && err.code === 'conflict' ? editConflict(err, args.file_path) : err;
      }
    },
  });
}

/** `read`, `write`, `edit`: Claude Code's file tools over files.read, files.write and files.edit. */
export function agentFileTools(deps: AliasDeps): McpTool[] {
  return [readTool(deps), writeTool(deps), editTool(deps)];
}
