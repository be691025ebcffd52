import { posix } from 'node:path';
import { callOp, type AliasDeps } from './alias.deps.js';
import {
  agentAnnotations,
  agentInputSchema,
  agentResult,
  agentTool,
  opProperty,
  sandboxOf,
} from './agent-tool.support.js';
import type { McpTool } from './mcp.tool.js';

interface GlobOutput {
  cwd: string;
  matches: string[];
  truncated: boolean;
}

interface GrepOutput {
  matches: Array<{ path: string; line: number; text: string }>;
  truncated: boolean;
}

export const GREP_OUTPUT_MODES = ['files_with_matches', 'content', 'count'] as const;
type GrepOutputMode = (typeof GREP_OUTPUT_MODES)[number];

const CUT_NOTE = '(more matched than the gateway returns; narrow the search)';

function globTool(deps: AliasDeps): McpTool {
  return agentTool({
    definition: {
      name: 'glob',
      title: 'Find files by pattern',
      description:
        'Finds files whose path matches a glob such as `**/*.ts` or `src/{a,b}/*.json`, below `path` (default: ' +
        'the workdir), and returns their absolute paths, sorted. Dotfiles match only when the pattern names them.',
      inputSchema: agentInputSchema(
        {
          pattern: opProperty(deps, 'files.glob', 'pattern', 'Glob relative to path (no leading / and no ..)'),
          path: opProperty(deps, 'files.glob', 'cwd', 'Directory to search in (default: the workdir)'),
        },
        ['pattern'],
      ),
      annotations: agentAnnotations('Find files by pattern', 'read'),
    },
    operations: ['files.glob'],
    async call(args, ctx) {
      const input = { pattern: args.pattern, ...(typeof args.path === 'string' ? { cwd: args.path } : {}) };
      const r = await callOp<GlobOutput>(deps, ctx, 'files.glob', input, sandboxOf(args));
      const files = r.matches.map((m) => posix.join(r.cwd, m));
      const text = files.length ? files.join('\n') : 'No files found';
      return agentResult(r.truncated ? `${text}\n${CUT_NOTE}` : text, { files, truncated: r.truncated });
    },
  });
}

/** What grep answers in each output mode. */
function grepAnswer(mode: GrepOutputMode, r: GrepOutput): { text: string; structured: Record<string, unknown> } {
  if (mode === 'content') {
    const text = r.matches.map((m) => `${m.path}:${m.line}:${m.text}`).join('\n');
    return { text, structured: { matches: r.matches } };
  }
  const counts = new Map<string, number>();
  for (const m of r.matches) counts.set(m.path, (counts.get(m.path) ?? 0) + 1);
  if (mode === 'count') {
    const text = [...counts].map(([path, n]) => `${path}:${n}`).join('\n');
    return { text, structured: { counts: Object.fromEntries(counts) } };
  }
  return { text: [...counts.keys()].join('\n'), structured: { files: [...counts.keys()] } };
}

function grepTool(deps: AliasDeps): McpTool {
  const maxResults = deps.inputPropertyOf('files.grep', 'maxResults')?.maximum as number | undefined;
  return agentTool({
    definition: {
      name: 'grep',
      title: 'Search file contents',
      description:
        'Searches files below `path` (default: the workdir; a file works too) for lines matching a regular ' +
        'expression (PCRE). `output_mode`: `files_with_matches` (default) lists the files, `content` the ' +
        'matching lines as path:line:text, `count` path:count. Binary files are skipped.',
      inputSchema: agentInputSchema(
        {
          pattern: opProperty(deps, 'files.grep', 'pattern', 'Regular expression (PCRE)'),
          path: opProperty(deps, 'files.grep', 'path', 'File or directory to search (default: the workdir)'),
          glob: opProperty(deps, 'files.grep', 'glob', 'Only files whose name matches this glob, e.g. `*.ts`'),
          case_insensitive: { type: 'boolean', description: 'Ignore case (default false)' },
          output_mode: { type: 'string', enum: [...GREP_OUTPUT_MODES], description: 'What to return (see above)' },
        },
        ['pattern'],
      ),
      annotations: agentAnnotations('Search file contents', 'read'),
    },
    operations: ['files.grep'],
    async call(args, ctx) {
      const mode = (args.output_mode as GrepOutputMode | undefined) ?? 'files_with_matches';
      const input = {
        pattern: args.pattern,
        ...(typeof args.path === 'string' ? { path: args.path } : {}),
        ...(typeof args.glob === 'string' ? { glob: args.glob } : {}),
        ...(args.case_insensitive === true ? { ignoreCase: true } : {}),
        // Files and counts need every matching line; content lines are the operation's default page.
        ...(mode !== 'content' && maxResults ? { maxResults } : {}),
      };
      const r = await callOp<GrepOutput>(deps, ctx, 'files.grep', input, sandboxOf(args));
      const { text, structured } = grepAnswer(mode, r);
      const shown = text || 'No matches found';
      return agentResult(r.truncated ? `${shown}\n${CUT_NOTE}` : shown, { ...structured, truncated: r.truncated });
    },
  });
}

/** `glob` and `grep`: Claude Code's search tools over files.glob and files.grep. */
export function agentSearchTools(deps: AliasDeps): McpTool[] {
  return [globTool(deps), grepTool(deps)];
}
