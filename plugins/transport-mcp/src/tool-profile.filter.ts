import picomatch from 'picomatch';
import type { McpTool } from './mcp.tool.js';
import type { ToolProfile } from './mcp-options.dto.js';
import { toolNameFor } from './tool-name.js';

type Matcher = (id: string) => boolean;

/** Matches an operation by its id (`files.*`) or its tool name (`files_*`). */
function onOperation(matches: Matcher): Matcher {
  return (opId) => matches(opId) || matches(toolNameFor(opId));
}

/**
 * A profile's test for a tool. Patterns (picomatch globs) match operation ids or tool names.
 * An alias is shown when a pattern names it, or when every operation it calls is shown; an
 * `exclude` that matches its name or one of its operations hides it. A `namedOnly` alias is shown only
 * when an `include` pattern names it.
 */
export function profileFilter(profile: ToolProfile): (tool: McpTool) => boolean {
  const include: Matcher = profile.include?.length ? picomatch(profile.include) : () => true;
  const exclude: Matcher = profile.exclude?.length ? picomatch(profile.exclude) : () => false;
  const included = onOperation(include);
  const excluded = onOperation(exclude);
  return (tool) => {
    if (tool.opId) return included(tool.opId) && !excluded(tool.opId);
    const name = tool.definition.name;
    if (exclude(name) || tool.operations.some(excluded)) return false;
    if (tool.namedOnly) return profile.include?.length ? include(name) : false;
    return (profile.include?.length ? include(name) : false) || tool.operations.every(included);
  };
}
