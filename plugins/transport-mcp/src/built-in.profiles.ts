import type { ToolProfile } from './mcp-options.dto.js';

/** The seed-system aliases repeat operation tools under other names; curated profiles leave them out. */
const SEED_ALIASES = ['create_sandbox', 'list_sandboxes', 'destroy_sandbox', 'run_code', 'execute_python'];

/** Sandbox lifecycle, as the operation tools. */
const LIFECYCLE = ['sandbox.create', 'sandbox.list', 'sandbox.delete'];

/** `/mcp`: the tools most sessions need, small enough to keep in an agent's context (tools/list within 20 KB). */
export const CORE_TOOLS: readonly string[] = [
  ...LIFECYCLE,
  'shell.exec',
  'files.read',
  'files.write',
  'files.list',
  'files.edit',
  'process.start',
  'process.logs',
  'process.wait',
  'process.kill',
  'code.run',
];

/** `/mcp/agent`: the names and argument shapes coding agents know (see agent-alias.tools.ts), plus web and browser. */
export const AGENT_TOOLS: readonly string[] = [
  'bash',
  'read',
  'write',
  'edit',
  'glob',
  'grep',
  'web.fetch',
  'web.search',
  'browser.*',
  'process.logs',
  'process.wait',
  'process.kill',
  ...LIFECYCLE,
];

/** Profiles every gateway has; `options.profiles` entries of the same name replace them. */
export const BUILT_IN_PROFILES: Readonly<Record<string, ToolProfile>> = {
  default: { include: [...CORE_TOOLS], exclude: SEED_ALIASES, compact: true },
  full: {},
  agent: { include: [...AGENT_TOOLS], exclude: SEED_ALIASES, compact: true },
};
