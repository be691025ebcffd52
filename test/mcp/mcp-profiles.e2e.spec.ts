import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { closeMcp, connectMcpHttp, RawMcpHttp, startTestGateway, type TestGateway } from '@sandboxed/testing';

const BASE = ['runtime-local', 'capability-shell', 'capability-files'];

describe('MCP tool profiles and limits', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway({
      onlyPlugins: BASE,
      extraPlugins: [
        {
          use: 'transport-mcp',
          options: {
            profiles: {
              readonly: { include: ['sandbox.list', 'sandbox.get', 'files.read', 'files.list', 'list_sandboxes'] },
              shell: { include: ['sandbox.*', 'shell.*'], exclude: ['shell.execStream', 'destroy_sandbox'] },
            },
            maxSessions: 4,
          },
        },
      ],
    });
  });
  afterAll(async () => gw?.close());

  const toolsAt = async (profile?: string, kind: 'streamable' | 'sse' = 'streamable'): Promise<string[]> => {
    const client = await connectMcpHttp(gw.url, kind, { profile });
    try {
      return (await client.listTools()).tools.map((t) => t.name).sort();
    } finally {
      await closeMcp(client);
    }
  };

  it('serves a profile’s tools at /mcp/<profile> and /sse/<profile>', async () => {
    const readonly = ['files_list', 'files_read', 'list_sandboxes', 'sandbox_get', 'sandbox_list'];
    expect(await toolsAt('readonly')).toEqual(readonly);
    expect(await toolsAt('readonly', 'sse')).toEqual(readonly);
    expect(await toolsAt('shell')).toEqual([
      'create_sandbox',
      'list_sandboxes',
      'sandbox_create',
      'sandbox_delete',
      'sandbox_get',
      'sandbox_list',
      'shell_exec',
    ]);
    // /mcp is the compact core set now; /mcp/full has every tool (test/mcp/mcp-tool-lists.e2e.spec.ts).
    const all = await toolsAt('full');
    expect(all).toEqual(
      expect.arrayContaining(['shell_exec_stream', 'files_write', 'create_sandbox', 'destroy_sandbox']),
    );
    // capability-code is not loaded here: the aliases of code.run and code.execute are not offered.
    expect(all).not.toContain('run_code');
    expect(all).not.toContain('execute_python');
  });

  it('refuses a tool outside the profile as unknown, and an unknown profile with 404', async () => {
    const client = await connectMcpHttp(gw.url, 'streamable', { profile: 'readonly' });
    await expect(
      client.callTool({ name: 'shell_exec', arguments: { sandbox_id: 'x', command: 'true' } }),
    ).rejects.toMatchObject({ code: -32602 });
    await closeMcp(client);
    const res = await new RawMcpHttp(`${gw.url}/mcp/nope`).initialize();
    expect(res.status).toBe(404);
    expect(res.messages[0].error.message).toMatch(/No MCP profile named "nope"/);
  });

  it('caps the number of sessions (503) and frees a slot when one ends', async () => {
    // Every earlier session here was ended by closeMcp, so all four slots are free.
    const open: RawMcpHttp[] = [];
    for (let i = 0; i < 4; i++) {
      const s = new RawMcpHttp(`${gw.url}/mcp`);
      expect((await s.initialize()).status).toBe(200);
      open.push(s);
    }
    expect((await new RawMcpHttp(`${gw.url}/mcp`).initialize()).status).toBe(503);
    expect((await fetch(`${gw.url}/sse`, { headers: { accept: 'text/event-stream' } })).status).toBe(503);
    await fetch(`${gw.url}/mcp`, { method: 'DELETE', headers: { 'mcp-session-id': open[0].sessionId! } });
    expect((await new RawMcpHttp(`${gw.url}/mcp`).initialize()).status).toBe(200);
  });

  it('stops boot when the options are wrong, naming the plugin and the key', async () => {
    await expect(
      startTestGateway({
        onlyPlugins: BASE,
        extraPlugins: [{ use: 'transport-mcp', options: { profiles: { 'bad name!': {} } } }],
      }),
    ).rejects.toThrow(/transport-mcp.*options\.profiles.*bad name!/);
    await expect(
      startTestGateway({
        onlyPlugins: BASE,
        extraPlugins: [{ use: 'transport-mcp', options: { profiles: { ro: { includes: ['x'] } } } }],
      }),
    ).rejects.toThrow(/ro\.includes: unknown key/);
    await expect(
      startTestGateway({
        onlyPlugins: BASE,
        extraPlugins: [{ use: 'transport-mcp', options: { profiles: { ro: { compact: 'yes' } } } }],
      }),
    ).rejects.toThrow(/ro\.compact: must be true or false/);
    await expect(
      startTestGateway({
        onlyPlugins: BASE,
        extraPlugins: [{ use: 'transport-mcp', options: { stdioProfile: 'missing' } }],
      }),
    ).rejects.toThrow(/stdioProfile/);
  });
});
