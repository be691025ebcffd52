import { describe, expect, it } from '@jest/globals';
import type { McpTool } from './mcp.tool.js';
import { profileFilter } from './tool-profile.filter.js';

const op = (id: string, name: string): McpTool => ({
  definition: { name, inputSchema: { type: 'object' } },
  operations: [id],
  opId: id,
  call: async () => ({ content: [] }),
});
const alias = (name: string, operations: string[]): McpTool => ({
  definition: { name, inputSchema: { type: 'object' } },
  operations,
  call: async () => ({ content: [] }),
});

const TOOLS = [
  op('sandbox.create', 'sandbox_create'),
  op('shell.exec', 'shell_exec'),
  op('files.read', 'files_read'),
  op('files.write', 'files_write'),
  op('code.run', 'code_run'),
  alias('run_code', ['code.run']),
  alias('list_sandboxes', ['sandbox.list']),
];
const names = (profile: Parameters<typeof profileFilter>[0]): string[] =>
  TOOLS.filter(profileFilter(profile)).map((t) => t.definition.name);

describe('profileFilter', () => {
  it('shows everything by default', () => {
    expect(names({})).toHaveLength(TOOLS.length);
  });

  it('includes by operation id or tool name, with globs', () => {
    expect(names({ include: ['files.*'] })).toEqual(['files_read', 'files_write']);
    expect(names({ include: ['shell_*', 'sandbox.*'] })).toEqual(['sandbox_create', 'shell_exec', 'list_sandboxes']);
  });

  it('shows an alias when all its operations are shown, or when named', () => {
    expect(names({ include: ['code.*'] })).toEqual(['code_run', 'run_code']);
    expect(names({ include: ['files.*', 'shell.*'] })).not.toContain('run_code');
    expect(names({ include: ['run_code'] })).toEqual(['run_code']);
  });

  it('excludes by pattern; excluding an operation hides the aliases that use it', () => {
    expect(names({ exclude: ['code.*'] })).toEqual([
      'sandbox_create',
      'shell_exec',
      'files_read',
      'files_write',
      'list_sandboxes',
    ]);
    expect(names({ exclude: ['list_sandboxes', 'files_*', 'code_run'] })).toEqual(['sandbox_create', 'shell_exec']);
  });
});

describe('profileFilter on namedOnly aliases', () => {
  const read: McpTool = { ...alias('read', ['files.read']), namedOnly: true };
  const shown = (profile: Parameters<typeof profileFilter>[0]): boolean => profileFilter(profile)(read);

  it('shows one only when an include names it', () => {
    expect(shown({})).toBe(false);
    expect(shown({ include: ['files.*'] })).toBe(false);
    expect(shown({ include: ['read'] })).toBe(true);
    expect(shown({ include: ['re*'] })).toBe(true);
  });

  it('hides it when excluded by name or operation', () => {
    expect(shown({ include: ['read'], exclude: ['read'] })).toBe(false);
    expect(shown({ include: ['read'], exclude: ['files.*'] })).toBe(false);
  });
});
