import type { AliasDeps } from './alias.deps.js';
import { bashTool } from './agent-bash.tool.js';
import { agentFileTools } from './agent-files.tools.js';
import { agentSearchTools } from './agent-search.tools.js';
import type { McpTool } from './mcp.tool.js';

/**
 * The tools coding agents know by name and shape (Claude Code's Bash, Read, Write, Edit, Glob, Grep, in
 * snake_case arguments), over the shell and files operations. They are `namedOnly`: the `agent` profile
 * lists them, and other profiles only when they name them.
 */
export function agentAliasTools(deps: AliasDeps): McpTool[] {
  return [bashTool(deps), ...agentFileTools(deps), ...agentSearchTools(deps)];
}
