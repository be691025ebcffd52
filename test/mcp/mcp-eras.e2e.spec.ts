import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Client as V2Client } from '@modelcontextprotocol/client';
import { Client as V1Client } from '@modelcontextprotocol/sdk/client/index.js';
import { SSEClientTransport as V1SseTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { SignJWT } from 'jose';
import { RawMcpHttp, startTestGateway, structuredOf, textOf, type TestGateway } from '@sandboxed/testing';
import {
  closeClient as close,
  connectHttpClient,
  connectStdioClient,
  MODERN,
  removeStdioDataDir,
  stdioParams as gatewayStdio,
  type AnyClient,
  type ClientKind,
} from '../support/mcp-era.clients.js';
import { sandboxWorkflow } from './mcp-workflow.scenario.js';

const SLOW = 120_000;
const SECRET = 'mcp-eras-test-secret-that-is-at-least-32-bytes';
/**
 * What an UnsupportedProtocolVersion error lists: the revisions `server/discover` lists, as the SDK and the
 * conformance suite have it (sep-2575-server-unsupported-version-error); 2025-era versions go by initialize.
 */
const SUPPORTED = [MODERN];

interface Case {
  name: string;
  /** The era the connection must land on: `legacy` (initialize + session) or `modern` (2026-07-28, stateless). */
  era: 'legacy' | 'modern';
  connect(base: string, headers?: Record<string, string>): Promise<AnyClient>;
}

const info = { name: 'eras-test', version: '0.0.0' };

const httpCase = (name: string, era: Case['era'], kind: ClientKind): Case => ({
  name,
  era,
  connect: (base, headers = {}) => connectHttpClient(kind, `${base}/mcp/full`, headers, info),
});

const HTTP_CASES: Case[] = [
  httpCase('v1 SDK client (@modelcontextprotocol/sdk)', 'legacy', 'v1'),
  httpCase('v2 SDK client (@modelcontextprotocol/client), default negotiation', 'legacy', 'v2'),
  httpCase(`v2 SDK client pinned to ${MODERN}`, 'modern', 'v2-pinned'),
  httpCase('v2 SDK client with auto negotiation', 'modern', 'v2-auto'),
];

const sessionIdOf = (client: AnyClient): string | undefined =>
  (client.transport as { sessionId?: string } | undefined)?.sessionId;

const envelope = (version: string) => ({
  'io.modelcontextprotocol/protocolVersion': version,
  'io.modelcontextprotocol/clientCapabilities': {},
  'io.modelcontextprotocol/clientInfo': info,
});

describe('MCP streamable HTTP: both protocol eras on one endpoint', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway();
  }, SLOW);
  afterAll(async () => gw?.close(), SLOW);

  describe.each(HTTP_CASES)('$name', ({ era, connect }) => {
    let client: AnyClient;
    beforeAll(async () => {
      client = await connect(gw.url);
    }, SLOW);
    afterAll(async () => close(client), SLOW);

    it(`lands on the ${era} era (a session only there)`, () => {
      if (client instanceof V2Client) expect(client.getProtocolEra()).toBe(era);
      if (era === 'legacy') expect(sessionIdOf(client)).toEqual(expect.any(String));
      else expect(sessionIdOf(client)).toBeUndefined();
      expect(client.getServerVersion()).toMatchObject({ name: 'sandboxed' });
    });

    it('creates a sandbox, runs code, writes and reads a file, and destroys it', () => sandboxWorkflow(client), SLOW);
  });

  it(
    'serves legacy HTTP+SSE to the v1 client',
    async () => {
      const client = new V1Client(info);
      await client.connect(new V1SseTransport(new URL(`${gw.url}/sse/full`)));
      try {
        await sandboxWorkflow(client);
      } finally {
        await client.close();
      }
    },
    SLOW,
  );

  it('answers a 2026 request in an unsupported version with -32022 (HTTP 400) listing the supported versions; initialize negotiates', async () => {
    const res = await fetch(`${gw.url}/mcp`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        'mcp-protocol-version': '2099-01-01',
        'mcp-method': 'tools/list',
      },
      body: JSON.stringify({ jsonrpc: '2.0', id: 7, method: 'tools/list', params: { _meta: envelope('2099-01-01') } }),
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({
      jsonrpc: '2.0',
      id: 7,
      error: { code: -32022, data: { supported: SUPPORTED, requested: '2099-01-01' } },
    });

    // A 2025-era initialize negotiates instead: the newest version the server speaks, and a session.
    const init = await new RawMcpHttp(`${gw.url}/mcp`).initialize('1999-01-01');
    expect(init.status).toBe(200);
    expect(init.headers.get('mcp-session-id')).toEqual(expect.any(String));
    expect(init.messages[0].result.protocolVersion).toBe('2025-11-25');
  });

  it('answers a 2026-07-28 request without a session, with cache hints and the Mcp-Method header checked', async () => {
    const post = (headers: Record<string, string>) =>
      fetch(`${gw.url}/mcp`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'application/json, text/event-stream',
          'mcp-protocol-version': MODERN,
          ...headers,
        },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list', params: { _meta: envelope(MODERN) } }),
      });
    const ok = await post({ 'mcp-method': 'tools/list' });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('mcp-session-id')).toBeNull();
    const body = (await ok.json()) as { result: { tools: unknown[]; ttlMs: number; cacheScope: string } };
    expect(body.result.tools.length).toBeGreaterThan(0);
    expect(body.result).toMatchObject({ resultType: 'complete', ttlMs: expect.any(Number), cacheScope: 'public' });
    expect(body.result.ttlMs).toBeGreaterThan(0);
    const mismatch = await post({ 'mcp-method': 'tools/call' });
    expect(mismatch.status).toBe(400);
  });
});

describe('MCP 2026-07-28 over HTTP: auth and tenancy on every request', () => {
  let gw: TestGateway;
  const token = (sub: string, exp = '5m') =>
    new SignJWT({ scope: 'sandbox:read sandbox:write' })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(sub)
      .setIssuedAt()
      .setExpirationTime(exp)
      .sign(new TextEncoder().encode(SECRET));
  beforeAll(async () => {
    gw = await startTestGateway({
      onlyPlugins: ['runtime-local', 'capability-shell', 'transport-mcp'],
      config: { auth: { jwt: { secret: SECRET } } },
    });
  }, SLOW);
  afterAll(async () => gw?.close(), SLOW);

  it(
    'acts as each request’s principal: another tenant’s sandbox is not found; no token is 401',
    async () => {
      const connect = async (sub: string) =>
        connectHttpClient('v2-pinned', `${gw.url}/mcp/full`, { authorization: `Bearer ${await token(sub)}` }, info);
      const alice = await connect('alice');
      const bob = await connect('bob');
      try {
        const sb = structuredOf(await alice.callTool({ name: 'sandbox_create', arguments: {} }));
        const mine = structuredOf(
          await alice.callTool({ name: 'shell_exec', arguments: { sandbox_id: sb.id, command: 'echo mine' } }),
        );
        expect(mine.stdout).toBe('mine\n');
        const theirs = await bob.callTool({ name: 'shell_exec', arguments: { sandbox_id: sb.id, command: 'true' } });
        expect(theirs.isError).toBe(true);
        expect(textOf(theirs)).toMatch(/not_found/);
        await alice.callTool({ name: 'sandbox_delete', arguments: { id: sb.id } });
      } finally {
        await alice.close();
        await bob.close();
      }
      const anonymous = await fetch(`${gw.url}/mcp`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'mcp-protocol-version': MODERN, 'mcp-method': 'tools/list' },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list', params: { _meta: envelope(MODERN) } }),
      });
      expect(anonymous.status).toBe(401);
    },
    SLOW,
  );
});

// The real stdio entry point, run from source, on a data folder of its own per client (one gateway per data dir).
const PLUGINS = (dataDir: string) =>
  `[{use: runtime-local, options: {dataDir: "${dataDir}"}}, capability-shell, capability-files, capability-code, transport-mcp]`;
const stdioParams = (dataDir: string) => gatewayStdio(PLUGINS(dataDir), ['--mcp-profile', 'full']);

const stdioCase = (name: string, era: Case['era'], kind: ClientKind) => ({
  name,
  era,
  connect: (dataDir: string) => connectStdioClient(kind, stdioParams(dataDir), info),
});

const STDIO_CASES = [
  stdioCase('v1 SDK client', 'legacy', 'v1'),
  stdioCase('v2 SDK client, default negotiation', 'legacy', 'v2'),
  stdioCase(`v2 SDK client pinned to ${MODERN}`, 'modern', 'v2-pinned'),
];

describe.each(STDIO_CASES)('MCP over stdio: $name', ({ era, connect }) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'sandboxed-eras-'));
  let client: AnyClient;
  beforeAll(async () => {
    client = await connect(dataDir);
  }, SLOW);
  afterAll(async () => {
    await client?.close();
    await removeStdioDataDir(dataDir);
  }, SLOW);

  it(
    `lands on the ${era} era and completes create → exec → write → read → delete`,
    async () => {
      if (client instanceof V2Client) expect(client.getProtocolEra()).toBe(era);
      await sandboxWorkflow(client);
    },
    SLOW,
  );
});

describe('MCP over stdio: unsupported version', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'sandboxed-eras-raw-'));
  afterAll(async () => removeStdioDataDir(dataDir), SLOW);

  it(
    'answers a request in an unsupported version with -32022 listing the supported versions, then serves 2026-07-28',
    async () => {
      const { command, args, cwd, env } = stdioParams(dataDir);
      const child = spawn(command, args, { cwd, env, stdio: ['pipe', 'pipe', 'ignore'] });
      const replies: any[] = [];
      const two = new Promise<void>((resolve) =>
        createInterface({ input: child.stdout }).on('line', (line) => {
          replies.push(JSON.parse(line));
          if (replies.length === 2) resolve();
        }),
      );
      const send = (msg: unknown) => child.stdin.write(`${JSON.stringify(msg)}\n`);
      send({ jsonrpc: '2.0', id: 1, method: 'tools/list', params: { _meta: envelope('2099-01-01') } });
      send({ jsonrpc: '2.0', id: 2, method: 'tools/list', params: { _meta: envelope(MODERN) } });
      await two;
      child.stdin.end();
      await new Promise((resolve) => child.once('exit', resolve));
      const byId = (id: number) => replies.find((r) => r.id === id);
      expect(byId(1)).toMatchObject({
        error: { code: -32022, data: { supported: SUPPORTED, requested: '2099-01-01' } },
      });
      expect(byId(2).result.tools.length).toBeGreaterThan(0);
    },
    SLOW,
  );
});
