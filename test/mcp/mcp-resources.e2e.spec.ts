import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Client as V2Client } from '@modelcontextprotocol/client';
import { Client as V1Client } from '@modelcontextprotocol/sdk/client/index.js';
import { SSEClientTransport as V1SseTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { startTestGateway, structuredOf, type TestGateway } from '@sandboxed/testing';
import {
  closeClient as close,
  connectHttpClient,
  connectStdioClient,
  MODERN,
  removeStdioDataDir,
  stdioParams as gatewayStdio,
  type AnyClient,
} from '../support/mcp-era.clients.js';

const SLOW = 120_000;
const TEMPLATE = 'sandbox://{sandbox_id}/files/{+path}';
const MAX_READ = 4096;
const KEYS = { alice: 'key-alice-0123456789', bob: 'key-bob-0123456789' };
const info = { name: 'resources-test', version: '0.0.0' };

interface Case {
  name: string;
  era: 'legacy' | 'modern';
  connect(url: string, key: string): Promise<AnyClient>;
}

const CASES: Case[] = [
  {
    name: 'v1 SDK client (@modelcontextprotocol/sdk), 2025-11-25 session',
    era: 'legacy',
    connect: (url, key) => connectHttpClient('v1', url, { 'x-api-key': key }, info),
  },
  {
    name: `v2 SDK client (@modelcontextprotocol/client) pinned to ${MODERN}`,
    era: 'modern',
    connect: (url, key) => connectHttpClient('v2-pinned', url, { 'x-api-key': key }, info),
  },
];

interface RpcFailure {
  code: number;
  message: string;
  data?: any;
}

/** The JSON-RPC error a request was answered with (both SDKs throw an error carrying `code` and `data`). */
async function failureOf(request: Promise<unknown>): Promise<RpcFailure> {
  const outcome = await request.then(
    (result) => ({ result }),
    (error: RpcFailure) => ({ error }),
  );
  if (!('error' in outcome)) throw new Error(`Expected an error, got ${JSON.stringify(outcome.result)}`);
  const { code, message, data } = outcome.error;
  return { code, message, data };
}

const fileUri = (sandboxId: string, path: string) => `sandbox://${sandboxId}/files/${path}`;
/** Bytes no UTF-8 decoder accepts, with NULs: a PNG header and then some. */
const BINARY = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0xff, 0xfe, 0x01, 0x80, 0x00, 0x7f]);

describe('MCP resources: sandbox files over streamable HTTP', () => {
  let gw: TestGateway;
  // A file on the host, outside every sandbox: no URI may ever reach it.
  const hostDir = mkdtempSync(join(tmpdir(), 'mcp-resources-host-'));
  const HOST_SECRET = `host-only-${process.pid}\n`;
  writeFileSync(join(hostDir, 'secret.txt'), HOST_SECRET);

  beforeAll(async () => {
    gw = await startTestGateway({
      onlyPlugins: ['runtime-local', 'capability-shell', 'capability-files', 'transport-mcp'],
      config: {
        auth: { apiKeys: { [KEYS.alice]: 'alice', [KEYS.bob]: 'bob' } },
        limits: { files: { maxReadBytes: MAX_READ } },
      },
    });
  }, SLOW);
  afterAll(async () => {
    await gw?.close();
    rmSync(hostDir, { recursive: true, force: true });
  }, SLOW);

  describe.each(CASES)('$name', ({ era, connect }) => {
    let alice: AnyClient;
    let bob: AnyClient;
    let sb: string;
    const call = async (client: AnyClient, name: string, args: Record<string, unknown>) =>
      structuredOf(await client.callTool({ name, arguments: args }));

    beforeAll(async () => {
      alice = await connect(`${gw.url}/mcp`, KEYS.alice);
      bob = await connect(`${gw.url}/mcp`, KEYS.bob);
      sb = (await call(alice, 'sandbox_create', {})).id;
    }, SLOW);
    afterAll(async () => {
      await alice?.callTool({ name: 'sandbox_delete', arguments: { id: sb } }).catch(() => undefined);
      await close(alice);
      await close(bob);
    }, SLOW);

    it(`lands on the ${era} era, declares resources, lists the template and no resources`, async () => {
      if (alice instanceof V2Client) expect(alice.getProtocolEra()).toBe(era);
      expect(alice.getServerCapabilities()?.resources).toEqual(expect.any(Object));
      const { resourceTemplates } = await alice.listResourceTemplates();
      expect(resourceTemplates).toEqual([
        expect.objectContaining({
          uriTemplate: TEMPLATE,
          name: 'sandbox-file',
          title: expect.any(String),
          description: expect.stringContaining('limits.files.maxReadBytes'),
        }),
      ]);
      expect((await alice.listResources()).resources).toEqual([]);
    });

    it('reads a file written by files_write as text, with a media type by extension', async () => {
      await call(alice, 'files_write', { sandbox_id: sb, path: 'notes/hello.txt', content: 'héllo from mcp\n' });
      await call(alice, 'files_write', { sandbox_id: sb, path: 'my notes.md', content: '# Title\n' });
      const uri = fileUri(sb, 'workspace/notes/hello.txt');
      expect((await alice.readResource({ uri })).contents).toEqual([
        { uri, mimeType: 'text/plain', text: 'héllo from mcp\n' },
      ]);
      // {+path} leaves `/` alone and percent-encodes the rest; a leading `/` (an absolute path expanded) is the same file.
      const spaced = fileUri(sb, 'workspace/my%20notes.md');
      expect((await alice.readResource({ uri: spaced })).contents).toEqual([
        { uri: spaced, mimeType: 'text/markdown', text: '# Title\n' },
      ]);
      const doubled = fileUri(sb, '/workspace/notes/hello.txt');
      expect((await alice.readResource({ uri: doubled })).contents[0]).toMatchObject({ text: 'héllo from mcp\n' });
    });

    it('reads a binary file as a blob equal to its bytes', async () => {
      await call(alice, 'files_write', {
        sandbox_id: sb,
        path: 'img/logo.png',
        content: BINARY.toString('base64'),
        encoding: 'base64',
      });
      await call(alice, 'shell_exec', { sandbox_id: sb, command: "printf '\\000\\001\\002\\377' > /workspace/raw" });
      const png = fileUri(sb, 'workspace/img/logo.png');
      const [content] = (await alice.readResource({ uri: png })).contents as Array<{ blob?: string; text?: string }>;
      expect(content).toEqual({ uri: png, mimeType: 'image/png', blob: expect.any(String) });
      expect(Buffer.from(content!.blob!, 'base64').equals(BINARY)).toBe(true);
      const raw = fileUri(sb, 'workspace/raw');
      const [bytes] = (await alice.readResource({ uri: raw })).contents as Array<{ blob?: string }>;
      expect(bytes).toMatchObject({ mimeType: 'application/octet-stream' });
      expect([...Buffer.from(bytes!.blob!, 'base64')]).toEqual([0, 1, 2, 255]);
    });

    it("answers a missing file, a missing sandbox and another tenant's sandbox with resource-not-found", async () => {
      const missingFile = fileUri(sb, 'workspace/nope.txt');
      const notFound = await failureOf(alice.readResource({ uri: missingFile }));
      // SEP-2164 (2026-07-28): -32602 with data {uri}; the SDK sends the same code on every revision.
      expect(notFound).toEqual({
        code: -32602,
        message: expect.stringContaining('Resource not found'),
        data: { uri: missingFile },
      });
      expect(notFound.message).toMatch(/No such file or directory/);

      await call(alice, 'files_write', { sandbox_id: sb, path: 'private.txt', content: 'alice only\n' });
      const theirs = fileUri(sb, 'workspace/private.txt');
      const nobody = '0123456789abcdef0123456789abcdef';
      const asBob = await failureOf(bob.readResource({ uri: theirs }));
      const noSuchSandbox = await failureOf(bob.readResource({ uri: fileUri(nobody, 'workspace/private.txt') }));
      expect(asBob).toEqual({ code: -32602, message: expect.any(String), data: { uri: theirs } });
      // The same answer as for a sandbox that does not exist: nothing tells Bob that Alice's exists.
      expect(asBob.message.replaceAll(sb, 'X')).toBe(noSuchSandbox.message.replaceAll(nobody, 'X'));
      expect(asBob.message).not.toMatch(/alice only/);
    });

    it('resolves `..` and symlinks inside the sandbox, as files_read does, and never reaches the host', async () => {
      const viaTool = await alice.callTool({
        name: 'files_read',
        arguments: { sandbox_id: sb, path: '../../etc/passwd' },
      });
      const traversal = fileUri(sb, '../../etc/passwd');
      const read = await alice.readResource({ uri: traversal });
      expect(read.contents).toEqual([{ uri: traversal, mimeType: 'text/plain', text: structuredOf(viaTool).content }]);

      await call(alice, 'shell_exec', {
        sandbox_id: sb,
        command: `ln -sf /etc/passwd /workspace/passwd-link && ln -sf ${hostDir}/secret.txt /workspace/host-link && ln -sf /etc/shadow /workspace/shadow-link`,
      });
      const viaLink = await alice.readResource({ uri: fileUri(sb, 'workspace/passwd-link') });
      expect(viaLink.contents[0]).toMatchObject({ text: structuredOf(viaTool).content });

      // The host's file and /etc/shadow exist on the host, not in the sandbox: not found, whichever way asked.
      for (const path of ['workspace/host-link', `workspace/../../..${hostDir}/secret.txt`, 'workspace/shadow-link']) {
        const uri = fileUri(sb, path);
        const failure = await failureOf(alice.readResource({ uri }));
        expect(failure).toEqual({
          code: -32602,
          message: expect.stringContaining('Resource not found'),
          data: { uri },
        });
        expect(failure.message).not.toContain(HOST_SECRET.trim());
      }
    });

    it('refuses a file over limits.files.maxReadBytes, naming the limit', async () => {
      await call(alice, 'files_write', { sandbox_id: sb, path: 'big.txt', content: 'x'.repeat(MAX_READ + 1) });
      const uri = fileUri(sb, 'workspace/big.txt');
      const failure = await failureOf(alice.readResource({ uri }));
      expect(failure.code).toBe(-32602);
      expect(failure.message).toContain(`limits.files.maxReadBytes is ${MAX_READ} bytes`);
      expect(failure.message).toContain(`${MAX_READ + 1} bytes`);
      expect(failure.data).toMatchObject({ uri, error: { code: 'limit_exceeded', details: { limit: MAX_READ } } });
    });

    it('answers a malformed URI with invalid params saying the expected form, and keeps serving', async () => {
      for (const uri of [
        `sandbox://${sb}/workspace/a.txt`,
        'file:///etc/passwd',
        `sandbox://${sb}/files/`,
        `sandbox://${sb}/files/%E0%A4%A`,
      ]) {
        const failure = await failureOf(alice.readResource({ uri }));
        expect(failure.code).toBe(-32602);
        expect(failure.message).toContain(`expected ${TEMPLATE}`);
        expect(failure.data).toEqual({ uri, expected: TEMPLATE });
      }
      const dir = fileUri(sb, 'workspace');
      const directory = await failureOf(alice.readResource({ uri: dir }));
      expect(directory).toMatchObject({ code: -32602, data: { uri: dir, error: { code: 'invalid_argument' } } });
      expect(directory.message).toMatch(/Is a directory/);
      expect((await alice.readResource({ uri: fileUri(sb, 'workspace/notes/hello.txt') })).contents).toHaveLength(1);
    });
  });

  it(
    'serves the same over legacy HTTP+SSE (v1 client)',
    async () => {
      const headers = { 'x-api-key': KEYS.alice };
      const client = new V1Client(info);
      await client.connect(new V1SseTransport(new URL(`${gw.url}/sse`), { requestInit: { headers } }));
      try {
        const sb = structuredOf(await client.callTool({ name: 'sandbox_create', arguments: {} })).id as string;
        await client.callTool({
          name: 'files_write',
          arguments: { sandbox_id: sb, path: 'sse.txt', content: 'over sse' },
        });
        const uri = fileUri(sb, 'workspace/sse.txt');
        expect((await client.readResource({ uri })).contents).toEqual([
          { uri, mimeType: 'text/plain', text: 'over sse' },
        ]);
        const missing = fileUri(sb, 'workspace/nope');
        expect(await failureOf(client.readResource({ uri: missing }))).toMatchObject({
          code: -32602,
          data: { uri: missing },
        });
        await client.callTool({ name: 'sandbox_delete', arguments: { id: sb } });
      } finally {
        await client.close();
      }
    },
    SLOW,
  );

  it(
    'on an endpoint bound to one sandbox, lists that sandbox’s template and reads only its files',
    async () => {
      const alice = await CASES[0]!.connect(`${gw.url}/mcp`, KEYS.alice);
      const [one, two] = [
        structuredOf(await alice.callTool({ name: 'sandbox_create', arguments: {} })).id as string,
        structuredOf(await alice.callTool({ name: 'sandbox_create', arguments: {} })).id as string,
      ];
      const bound = await CASES[1]!.connect(`${gw.url}/mcp/agent/${one}`, KEYS.alice);
      try {
        for (const id of [one, two])
          await alice.callTool({ name: 'files_write', arguments: { sandbox_id: id, path: 'a.txt', content: id } });
        expect((await bound.listResourceTemplates()).resourceTemplates.map((t) => t.uriTemplate)).toEqual([
          `sandbox://${one}/files/{+path}`,
        ]);
        expect((await bound.readResource({ uri: fileUri(one, 'workspace/a.txt') })).contents[0]).toMatchObject({
          text: one,
        });
        const other = fileUri(two, 'workspace/a.txt');
        expect(await failureOf(bound.readResource({ uri: other }))).toEqual({
          code: -32602,
          message: `Resource not found: ${other}: Sandbox ${two} not found`,
          data: { uri: other },
        });
      } finally {
        for (const id of [one, two]) await alice.callTool({ name: 'sandbox_delete', arguments: { id } });
        await close(bound);
        await close(alice);
      }
    },
    SLOW,
  );
});

const stdioParams = (dataDir: string) =>
  gatewayStdio(
    `[{use: runtime-local, options: {dataDir: "${dataDir}"}}, capability-shell, capability-files, transport-mcp]`,
  );

const STDIO_CASES: Array<{ name: string; connect(dataDir: string): Promise<AnyClient> }> = [
  { name: 'v1 SDK client (2025-11-25)', connect: (dataDir) => connectStdioClient('v1', stdioParams(dataDir), info) },
  {
    name: `v2 SDK client pinned to ${MODERN}`,
    connect: (dataDir) => connectStdioClient('v2-pinned', stdioParams(dataDir), info),
  },
];

describe.each(STDIO_CASES)('MCP resources over stdio: $name', ({ connect }) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'sandboxed-resources-'));
  let client: AnyClient;
  beforeAll(async () => {
    client = await connect(dataDir);
  }, SLOW);
  afterAll(async () => {
    await client?.close();
    await removeStdioDataDir(dataDir);
  }, SLOW);

  it(
    'reads a written file as text and a missing one as resource-not-found',
    async () => {
      const sb = structuredOf(await client.callTool({ name: 'sandbox_create', arguments: {} })).id as string;
      await client.callTool({
        name: 'files_write',
        arguments: { sandbox_id: sb, path: 'hi.json', content: '{"a":1}' },
      });
      const uri = fileUri(sb, 'workspace/hi.json');
      expect((await client.readResource({ uri })).contents).toEqual([
        { uri, mimeType: 'application/json', text: '{"a":1}' },
      ]);
      const missing = fileUri(sb, 'workspace/missing.json');
      expect(await failureOf(client.readResource({ uri: missing }))).toMatchObject({
        code: -32602,
        data: { uri: missing },
      });
      await client.callTool({ name: 'sandbox_delete', arguments: { id: sb } });
    },
    SLOW,
  );
});
