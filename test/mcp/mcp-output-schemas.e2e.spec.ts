import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { closeMcp, connectMcpHttp, startTestGateway, structuredOf, type TestGateway } from '@sandboxed/testing';

const SLOW = 60_000;

// The SDK client checks every structuredContent against the tool's outputSchema, so a call that
// resolves here proves the result matches what tools/list advertises.
describe('MCP results match their output schemas', () => {
  let gw: TestGateway;
  let client: Client;
  let sandbox_id: string;
  beforeAll(async () => {
    gw = await startTestGateway({
      onlyPlugins: ['runtime-local', 'capability-shell', 'capability-files', 'transport-mcp'],
    });
    client = await connectMcpHttp(gw.url, 'streamable', { profile: 'full' });
    await client.listTools();
    sandbox_id = structuredOf(
      await client.callTool({ name: 'sandbox_create', arguments: { labels: { suite: 'schemas' } } }),
    ).id;
  }, SLOW);
  afterAll(async () => {
    await closeMcp(client);
    await gw?.close();
  }, SLOW);

  const call = async (name: string, args: Record<string, unknown> = {}) =>
    structuredOf(await client.callTool({ name, arguments: { sandbox_id, ...args } }));

  it(
    'for every files tool',
    async () => {
      await call('files_write', { path: 'src/a.txt', content: 'alpha\nbeta\n' });
      expect(await call('files_mkdir', { path: 'out/deep', parents: true })).toBeDefined();
      expect((await call('files_list', { path: 'src' })).entries.map((e: { name: string }) => e.name)).toEqual([
        'a.txt',
      ]);
      expect(await call('files_stat', { path: 'src/a.txt' })).toMatchObject({ exists: true, type: 'file', size: 11 });
      expect((await call('files_glob', { pattern: '**/*.txt' })).matches).toEqual(['src/a.txt']);
      expect(await call('files_grep', { pattern: 'be.a' })).toBeDefined();
      expect(await call('files_edit', { path: 'src/a.txt', oldText: 'beta', newText: 'gamma' })).toMatchObject({
        replacements: 1,
      });
      expect(await call('files_copy', { from: 'src/a.txt', to: 'out/b.txt' })).toBeDefined();
      expect(await call('files_move', { from: 'out/b.txt', to: 'out/c.txt' })).toBeDefined();
      expect(await call('files_delete', { path: 'out', recursive: true })).toBeDefined();
      expect((await call('files_read', { path: 'src/a.txt', encoding: 'base64' })).content).toBe(
        Buffer.from('alpha\ngamma\n').toString('base64'),
      );
    },
    SLOW,
  );

  it(
    'for the sandbox tools',
    async () => {
      expect(
        structuredOf(await client.callTool({ name: 'sandbox_get', arguments: { id: sandbox_id } })).labels,
      ).toEqual({ suite: 'schemas' });
      expect(
        structuredOf(await client.callTool({ name: 'sandbox_list', arguments: { labels: 'suite=schemas' } })).count,
      ).toBe(1);
      const deleted = await client.callTool({ name: 'sandbox_delete', arguments: { id: sandbox_id } });
      expect(deleted.isError).toBeFalsy();
      expect(deleted.structuredContent).toBeUndefined();
    },
    SLOW,
  );
});
