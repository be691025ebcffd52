import { describe, expect, it } from '@jest/globals';
import type { Tool } from '@modelcontextprotocol/server';
import type { McpTool } from './mcp.tool.js';
import { bindTool, boundForm, endpointKey, parseEndpointKey } from './sandbox-binding.js';

const seen: Array<Record<string, unknown>> = [];
type Properties = NonNullable<Tool['inputSchema']['properties']>;

const tool = (name: string, operations: string[], properties: Properties, required: string[]): McpTool => ({
  definition: { name, inputSchema: { type: 'object', properties, required } },
  operations,
  call: async (args) => {
    seen.push(args);
    return { content: [] };
  },
});

describe('sandbox binding', () => {
  it('keys an endpoint by profile and sandbox, refusing implausible ids', () => {
    expect(endpointKey('agent')).toBe('agent');
    expect(parseEndpointKey(endpointKey('agent', 'abc123'))).toEqual({ profile: 'agent', sandboxId: 'abc123' });
    expect(parseEndpointKey('agent')).toEqual({ profile: 'agent' });
    expect(parseEndpointKey('agent/..')).toBeUndefined();
    expect(parseEndpointKey('agent/a b')).toBeUndefined();
  });

  it('drops sandbox_id and sandbox_name from the schema and sets the bound id on every call', async () => {
    const read = tool('read', ['files.read'], { sandbox_id: {}, sandbox_name: {}, file_path: {} }, [
      'sandbox_id',
      'file_path',
    ]);
    const form = boundForm(read)!;
    expect(form.binds).toBe(true);
    expect(Object.keys(form.tool.definition.inputSchema.properties!)).toEqual(['file_path']);
    expect(form.tool.definition.inputSchema.required).toEqual(['file_path']);
    const ctx = {} as Parameters<McpTool['call']>[1];
    await bindTool(form, 'mine').call({ file_path: 'a', sandbox_id: 'theirs', sandbox_name: 'theirs' }, ctx);
    expect(seen.at(-1)).toEqual({ file_path: 'a', sandbox_id: 'mine' });
  });

  it('leaves out sandbox management and keeps tools that act in no sandbox', () => {
    expect(boundForm(tool('sandbox_create', ['sandbox.create'], {}, []))).toBeUndefined();
    expect(boundForm(tool('list_sandboxes', ['sandbox.list'], {}, []))).toBeUndefined();
    const fetch = tool('web_fetch', ['web.fetch'], { url: {} }, ['url']);
    expect(boundForm(fetch)).toEqual({ tool: fetch, binds: false });
    expect(bindTool(boundForm(fetch)!, 'mine')).toBe(fetch);
  });
});
