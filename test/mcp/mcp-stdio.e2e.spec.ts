import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { getDefaultEnvironment, StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { OPERATION_REGISTRY, type OperationRegistry } from '@sandboxed/plugin-sdk';
import { connectMcp, startTestGateway, structuredOf, type TestGateway } from '@sandboxed/testing';
import { LocalRuntime } from '@sandboxed/runtime-local';
import { toolNameFor } from '@sandboxed/transport-mcp';
import { ALIASES, sandboxWorkflow } from './mcp-workflow.scenario.js';

const SLOW = 120_000;
// capability-code: run_code and execute_python are aliases of its operations.
const PLUGINS = ['runtime-local', 'capability-shell', 'capability-files', 'capability-code', 'transport-mcp'];

/**
 * The real entry point, run from source (test/support/ts-source.hooks.mjs transpiles it), on a data
 * folder of its own (one gateway per local data dir); `cleanUp` destroys whatever it left behind.
 */
function stdioArgs(dataDir: string, extra: string[] = [], principal = 'local'): string[] {
  const mcp = `{use: transport-mcp, options: {stdioPrincipal: ${principal}}}`;
  const plugins = `[{use: runtime-local, options: {dataDir: "${dataDir}"}}, capability-shell, capability-files, capability-code, ${mcp}]`;
  return [
    '--import',
    './test/support/ts-source.hooks.mjs',
    'apps/gateway/src/mcp.main.ts',
    `--plugins=${plugins}`,
    ...extra,
  ];
}

async function cleanUp(dataDir: string): Promise<void> {
  const runtime = new LocalRuntime({ dataDir, isolation: 'bwrap', network: 'none' });
  for (const sb of await runtime.list()) await runtime.destroy(sb.id);
  await runtime.close();
  rmSync(dataDir, { recursive: true, force: true });
}

describe('MCP over stdio (the real entry point)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'sandboxed-stdio-'));
  let gw: TestGateway;
  let client: Client;
  let stderr = '';
  beforeAll(async () => {
    gw = await startTestGateway({ onlyPlugins: PLUGINS });
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: stdioArgs(dataDir, ['--log.level=warn', '--mcp-profile', 'full'], 'agent-7'),
      cwd: process.cwd(),
      env: getDefaultEnvironment(),
      stderr: 'pipe',
    });
    transport.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    client = await connectMcp(transport);
  }, SLOW);
  afterAll(async () => {
    await client?.close();
    await gw?.close();
    await cleanUp(dataDir);
  }, SLOW);

  it('initializes and lists every registered operation and the aliases', async () => {
    expect(client.getServerVersion()).toMatchObject({ name: 'sandboxed' });
    const names = (await client.listTools()).tools.map((t) => t.name);
    const ops = gw.app.get<OperationRegistry>(OPERATION_REGISTRY).list();
    const expected = ops
      .filter((op) => op.http?.body !== 'octets' && !('output' in op && op.output === 'binary'))
      .map((op) => toolNameFor(op.id));
    expect(names.sort()).toEqual([...expected, ...ALIASES].sort());
  });

  it(
    'creates a sandbox, runs code, writes and reads a file, and destroys it',
    async () => {
      await sandboxWorkflow(client);
    },
    SLOW,
  );

  it(
    'acts as the configured stdio principal',
    async () => {
      const sb = structuredOf(
        await client.callTool({ name: 'sandbox_create', arguments: { labels: { via: 'stdio' } } }),
      );
      // Read from the child's data dir (get needs no lock: it only reads the sandbox's metadata).
      const runtime = new LocalRuntime({ dataDir, isolation: 'bwrap', network: 'none' });
      expect(await runtime.get(sb.id)).toMatchObject({ owner: 'agent-7', labels: { via: 'stdio' } });
      await client.callTool({ name: 'sandbox_delete', arguments: { id: sb.id } });
      expect(stderr).not.toMatch(/ERROR/);
    },
    SLOW,
  );
});

describe('MCP over stdio, raw lines', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'sandboxed-stdio-raw-'));
  afterAll(async () => cleanUp(dataDir), SLOW);

  it(
    'answers bad lines, early calls, unknown methods and unknown tools with JSON-RPC errors; stdout holds only JSON-RPC',
    async () => {
      const child = spawn(process.execPath, stdioArgs(dataDir), {
        cwd: process.cwd(),
        env: getDefaultEnvironment(),
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      let stderr = '';
      child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
      const lines: string[] = [];
      const waiters: Array<{ count: number; resolve: () => void }> = [];
      createInterface({ input: child.stdout }).on('line', (line) => {
        lines.push(line);
        for (const w of waiters) if (lines.length >= w.count) w.resolve();
      });
      const linesReach = (count: number): Promise<void> =>
        new Promise((resolve) => (lines.length >= count ? resolve() : waiters.push({ count, resolve })));
      const send = (msg: unknown): boolean =>
        child.stdin.write(`${typeof msg === 'string' ? msg : JSON.stringify(msg)}\n`);
      send('this is not json');
      send({ jsonrpc: '2.0', id: 1, method: 'tools/list' });
      send({ hello: 'world' });
      // Answered before initialize is sent: the SDK dispatches handlers asynchronously, so a tools/list
      // pipelined right behind it could be answered after the handshake.
      await linesReach(3);
      send({
        jsonrpc: '2.0',
        id: 2,
        method: 'initialize',
        params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '0' } },
      });
      send({ jsonrpc: '2.0', method: 'notifications/initialized' });
      send({ jsonrpc: '2.0', id: 3, method: 'no/such/method' });
      send({ jsonrpc: '2.0', id: 4, method: 'tools/call', params: { name: 'shell_exec', arguments: {} } });
      send({ jsonrpc: '2.0', id: 5, method: 'tools/call', params: { name: 'acme_missing', arguments: {} } });
      send({ jsonrpc: '2.0', id: 6, method: 'tools/list' });
      await linesReach(8);
      child.stdin.end();
      const exitCode = await new Promise<number | null>((resolve) => child.once('exit', resolve));

      const messages = lines.map((l) => JSON.parse(l) as { id?: unknown; error?: { code: number }; result?: any });
      const byId = (id: unknown) => messages.find((m) => m.id === id)!;
      expect(
        messages
          .filter((m) => m.id === null)
          .map((m) => m.error!.code)
          .sort(),
      ).toEqual([-32700, -32600].sort());
      expect(byId(1).error!.code).toBe(-32600);
      expect(byId(2).result.serverInfo.name).toBe('sandboxed');
      expect(byId(3).error!.code).toBe(-32601);
      // Arguments that fail the schema: a tool result naming the field (MCP 2025-11-25), on every version.
      expect(byId(4).result).toMatchObject({ isError: true });
      expect(byId(4).result.content[0].text).toMatch(/sandbox_id: required/);
      expect(byId(5).error!.code).toBe(-32602);
      expect(byId(6).result.tools.length).toBeGreaterThan(0);
      expect(exitCode).toBe(0);
      // The logs went to stderr.
      expect(stderr).toMatch(/MCP on stdio as principal "local"/);
    },
    SLOW,
  );
});
