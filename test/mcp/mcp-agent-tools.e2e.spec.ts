import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import {
  closeMcp,
  connectMcpHttp,
  RawMcpHttp,
  startTestGateway,
  structuredOf,
  textOf,
  waitFor,
  type TestGateway,
} from '@sandboxed/testing';

const ALICE = { authorization: 'Bearer k_alice' };
const BOB = { authorization: 'Bearer k_bob' };
const MAX_WRITE = 64 * 1024;
const HAS_CHROMIUM = existsSync('/usr/bin/chromium');
const SLOW = 60_000;

type Result = CallToolResult & { structuredContent?: any };
const errorOf = (r: Result): { code: string; message: string } => {
  expect(r.isError).toBe(true);
  return (r._meta as Record<string, { code: string; message: string }>)['sandboxed/error'];
};

describe('MCP agent profile: familiar tool names over the operations', () => {
  let gw: TestGateway;
  let page: Server;
  let agent: Client;
  let full: Client;
  let sandboxId: string;
  const hostDir = mkdtempSync(join(tmpdir(), 'sandboxed-host-'));
  const call = async (client: Client, name: string, args: Record<string, unknown>): Promise<Result> =>
    (await client.callTool({ name, arguments: args })) as Result;
  const run = (name: string, args: Record<string, unknown>): Promise<Result> =>
    call(agent, name, { sandbox_id: sandboxId, ...args });

  beforeAll(async () => {
    page = createServer((_req, res) =>
      res.writeHead(200, { 'content-type': 'text/html' }).end('<title>Loopback page</title><p>served to the agent</p>'),
    );
    await new Promise<void>((resolve) => page.listen(0, '127.0.0.1', resolve));
    const port = (page.address() as AddressInfo).port;
    gw = await startTestGateway({
      onlyPlugins: ['runtime-local', 'capability-shell', 'capability-files', 'capability-processes', 'transport-rest'],
      extraPlugins: [
        { use: 'capability-web', options: { allowPrivileged: [`127.0.0.1:${port}`] } },
        ...(HAS_CHROMIUM ? ['capability-browser'] : []),
        'transport-mcp',
      ],
      config: {
        auth: { apiKeys: { k_alice: 'alice', k_bob: 'bob' } },
        limits: { files: { maxWriteBytes: MAX_WRITE } },
      },
    });
    agent = await connectMcpHttp(gw.url, 'streamable', { headers: ALICE, profile: 'agent' });
    full = await connectMcpHttp(gw.url, 'streamable', { headers: ALICE, profile: 'full' });
    sandboxId = structuredOf(await call(agent, 'sandbox_create', {})).id;
  }, SLOW);
  afterAll(async () => {
    await closeMcp(agent);
    await closeMcp(full);
    await gw?.close();
    await new Promise((resolve) => page?.close(resolve));
    rmSync(hostDir, { recursive: true, force: true });
  }, SLOW);

  describe('bash', () => {
    it('runs bash, stderr merged into stdout in order, and names a non-zero exit code', async () => {
      const r = await run('bash', { command: 'echo one; echo two >&2; [[ 3 -gt 2 ]] && echo three; exit 4' });
      expect(r.isError).toBeFalsy();
      expect(textOf(r)).toBe('one\ntwo\nthree\n[exit code 4]');
      expect(r.structuredContent).toMatchObject({ output: 'one\ntwo\nthree\n', exit_code: 4, timed_out: false });
      expect(textOf(await run('bash', { command: 'true' }))).toBe('(no output)');
    });

    it('kills a command at timeout_ms and says so', async () => {
      const r = await run('bash', { command: 'echo before; sleep 30; echo after', timeout_ms: 300 });
      expect(r.structuredContent).toMatchObject({ timed_out: true });
      expect(textOf(r)).toMatch(/^before\n\[killed: still running after 300 ms\]$/);
    });

    it('starts a background process and returns its id for process_logs and process_kill', async () => {
      const r = await run('bash', {
        command: 'echo started; for i in 1 2 3; do echo "tick $i"; done; sleep 60',
        run_in_background: true,
        description: 'ticker',
      });
      const id = r.structuredContent.process_id as string;
      expect(id).toMatch(/^[a-f0-9]{16}$/);
      expect(textOf(r)).toContain(`process ${id}`);
      const logs = await waitFor(
        async () => {
          const page = structuredOf(await run('process_logs', { process_id: id }));
          return page.lines.length >= 4 ? page : undefined;
        },
        { what: 'the background process output' },
      );
      expect(logs.lines.map((l: { text: string }) => l.text)).toEqual(['started', 'tick 1', 'tick 2', 'tick 3']);
      expect(structuredOf(await run('process_kill', { process_id: id })).status).toBe('killed');
    });
  });

  describe('files', () => {
    const ten = Array.from({ length: 10 }, (_, i) => `line ${i + 1}`).join('\n') + '\n';

    it('write, then read with cat -n numbering, offset and limit in lines', async () => {
      const w = await run('write', { file_path: 'notes/ten.txt', content: ten });
      expect(w.structuredContent).toEqual({ file_path: '/workspace/notes/ten.txt', bytes: ten.length });
      const all = await run('read', { file_path: 'notes/ten.txt' });
      expect(textOf(all).split('\n')).toHaveLength(10);
      expect(textOf(all).split('\n')[0]).toBe('     1\tline 1');
      const some = await run('read', { file_path: '/workspace/notes/ten.txt', offset: 3, limit: 2 });
      expect(textOf(some)).toBe('     3\tline 3\n     4\tline 4\n(lines 3-4 of 10; offset 5 reads on)');
      expect(some.structuredContent).toMatchObject({ first_line: 3, last_line: 4, total_lines: 10 });
      expect(errorOf(await run('read', { file_path: 'notes/ten.txt', offset: 11 })).message).toMatch(
        /has 10 lines; offset 11 is past the end/,
      );
      expect(errorOf(await run('read', { file_path: 'notes/missing.txt' })).code).toBe('not_found');
    });

    it('edit replaces a unique string, and refuses an absent or repeated one unless replace_all', async () => {
      await run('write', { file_path: 'e.txt', content: 'alpha beta\nbeta gamma\n' });
      const absent = errorOf(await run('edit', { file_path: 'e.txt', old_string: 'delta', new_string: 'x' }));
      expect(absent).toMatchObject({ code: 'conflict', message: "old_string not found in '/workspace/e.txt'" });
      const twice = errorOf(await run('edit', { file_path: 'e.txt', old_string: 'beta', new_string: 'B' }));
      expect(twice.code).toBe('conflict');
      expect(twice.message).toMatch(/old_string occurs 2 times in '\/workspace\/e.txt'.*replace_all/);
      expect(textOf(await run('read', { file_path: 'e.txt' }))).toContain('alpha beta');
      const once = await run('edit', { file_path: 'e.txt', old_string: 'alpha', new_string: 'ALPHA' });
      expect(once.structuredContent).toEqual({ file_path: '/workspace/e.txt', replacements: 1 });
      const every = await run('edit', { file_path: 'e.txt', old_string: 'beta', new_string: 'B', replace_all: true });
      expect(every.structuredContent.replacements).toBe(2);
      expect(structuredOf(await call(full, 'files_read', { sandbox_id: sandboxId, path: 'e.txt' })).content).toBe(
        'ALPHA B\nB gamma\n',
      );
      const same = errorOf(await run('edit', { file_path: 'e.txt', old_string: 'B', new_string: 'B' }));
      expect(same).toMatchObject({ code: 'invalid_argument' });
    });

    it('glob finds files by pattern, as absolute paths', async () => {
      for (const f of ['g/src/a.ts', 'g/src/lib/b.ts', 'g/src/c.js', 'g/README.md']) {
        await run('write', { file_path: f, content: `// ${f}\n` });
      }
      const r = await run('glob', { pattern: '**/*.ts', path: 'g' });
      expect(r.structuredContent.files).toEqual(['/workspace/g/src/a.ts', '/workspace/g/src/lib/b.ts']);
      expect(textOf(r)).toBe('/workspace/g/src/a.ts\n/workspace/g/src/lib/b.ts');
      expect(textOf(await run('glob', { pattern: 'nothing/*.rs' }))).toBe('No files found');
    });

    it('grep answers files_with_matches (default), content and count, with glob and case_insensitive', async () => {
      await run('write', { file_path: 'q/one.py', content: 'TODO: a\nok\ntodo: b\n' });
      await run('write', { file_path: 'q/two.txt', content: 'todo: c\n' });
      const files = await run('grep', { pattern: 'todo', path: 'q' });
      expect(textOf(files).split('\n').sort()).toEqual(['/workspace/q/one.py', '/workspace/q/two.txt']);
      const content = await run('grep', { pattern: 'todo', path: 'q', glob: '*.py', output_mode: 'content' });
      expect(textOf(content)).toBe('/workspace/q/one.py:3:todo: b');
      const count = await run('grep', {
        pattern: 'todo',
        path: 'q',
        case_insensitive: true,
        output_mode: 'count',
      });
      expect(count.structuredContent.counts).toEqual({ '/workspace/q/one.py': 2, '/workspace/q/two.txt': 1 });
      expect(textOf(await run('grep', { pattern: 'absent-word', path: 'q' }))).toBe('No matches found');
      const bad = await run('grep', { pattern: 'x', output_mode: 'lines' });
      expect(errorOf(bad).message).toMatch(/output_mode: must be one of: "files_with_matches", "content", "count"/);
    });
  });

  describe('hostile input', () => {
    it('file_path follows the files.* path rules: the same answer as files_read, and never a host file', async () => {
      const secret = join(hostDir, 'host-secret.txt');
      writeFileSync(secret, 'host only');
      await run('write', { file_path: '/tmp/inside.txt', content: 'inside\n' });
      for (const path of [
        `../../../../../..${secret}`,
        secret,
        '../../../../tmp/inside.txt',
        '/proc/self/root/tmp/inside.txt',
        'notes/../../../etc/hostname',
      ]) {
        const viaRead = await run('read', { file_path: path });
        const viaFiles = await call(full, 'files_read', { sandbox_id: sandboxId, path });
        expect(textOf(viaRead)).not.toContain('host only');
        if (viaFiles.isError) {
          expect(errorOf(viaRead).code).toBe(errorOf(viaFiles).code);
        } else {
          expect(viaRead.isError).toBeFalsy();
          expect(textOf(viaRead)).toContain(viaFiles.structuredContent.content.split('\n')[0]);
        }
      }
      const planted = `../../../../..${hostDir}/planted.txt`;
      const viaWrite = await run('write', { file_path: planted, content: 'x' });
      const viaFiles = await call(full, 'files_write', { sandbox_id: sandboxId, path: planted, content: 'x' });
      expect(Boolean(viaWrite.isError)).toBe(Boolean(viaFiles.isError));
      expect(existsSync(join(hostDir, 'planted.txt'))).toBe(false);
    });

    it('content over the write limit is refused, saying the limit', async () => {
      const big = 'y'.repeat(MAX_WRITE + 1);
      const r = errorOf(await run('write', { file_path: 'big.txt', content: big }));
      expect(r.code).toBe('limit_exceeded');
      expect(r.message).toBe(`Content is ${MAX_WRITE + 1} bytes, over the write limit of ${MAX_WRITE} bytes`);
      expect(errorOf(await run('read', { file_path: 'big.txt' })).code).toBe('not_found');
    });

    it('refuses arguments outside the schema, naming them', async () => {
      const r = await run('read', { file_path: 'notes/ten.txt', path: 'x', offset: -1 });
      const message = errorOf(r).message;
      expect(message).toMatch(/path: unknown field/);
      expect(message).toMatch(/offset: must be >= 0/);
    });
  });

  it('web_fetch fetches a page the web capability allows (a loopback server listed in allowPrivileged)', async () => {
    const port = (page.address() as AddressInfo).port;
    const r = await call(agent, 'web_fetch', { url: `http://127.0.0.1:${port}/` });
    expect(r.isError).toBeFalsy();
    expect(JSON.stringify(r.structuredContent)).toContain('served to the agent');
  });

  (HAS_CHROMIUM ? it : it.skip)(
    'browser_navigate then browser_screenshot on a bound endpoint, against a page served by a bash background process',
    async () => {
      const bound = await connectMcpHttp(gw.url, 'streamable', { headers: ALICE, profile: `agent/${sandboxId}` });
      try {
        await call(bound, 'write', {
          file_path: 'site/index.html',
          content: '<title>In the sandbox</title><h1>hi</h1>',
        });
        const server = await call(bound, 'bash', {
          command: 'exec python3 -m http.server 8010 --bind 127.0.0.1 --directory site',
          run_in_background: true,
        });
        expect(server.isError).toBeFalsy();
        const probe = 'python3 -c "import socket; socket.create_connection((\'127.0.0.1\', 8010))"';
        await waitFor(async () => (await call(bound, 'bash', { command: probe })).structuredContent?.exit_code === 0, {
          what: 'the page server in the sandbox',
          timeoutMs: 30_000,
        });
        const nav = await call(bound, 'browser_navigate', { url: 'http://localhost:8010/' });
        expect(nav.structuredContent).toMatchObject({ title: 'In the sandbox', status: 200 });
        const shot = await call(bound, 'browser_screenshot', {});
        const image = (shot.content as Array<{ type: string; mimeType?: string; data?: string }>).find(
          (c) => c.type === 'image',
        );
        expect(image?.mimeType).toBe('image/png');
        expect(Buffer.from(image!.data!, 'base64').subarray(1, 4).toString()).toBe('PNG');
      } finally {
        await closeMcp(bound);
      }
    },
    SLOW,
  );

  describe('endpoint bound to one sandbox: /mcp/agent/<sandbox-id>', () => {
    it('lists no sandbox_id (nor lifecycle tools) and acts in the bound sandbox', async () => {
      const bound = await connectMcpHttp(gw.url, 'streamable', { headers: ALICE, profile: `agent/${sandboxId}` });
      try {
        const { tools } = await bound.listTools();
        const names = tools.map((t) => t.name);
        expect(names).toEqual(expect.arrayContaining(['bash', 'read', 'write', 'edit', 'glob', 'grep', 'web_fetch']));
        expect(names.filter((n) => n.startsWith('sandbox_'))).toEqual([]);
        for (const tool of tools) {
          expect(Object.keys(tool.inputSchema.properties ?? {})).not.toContain('sandbox_id');
          expect(tool.inputSchema.required ?? []).not.toContain('sandbox_id');
        }
        await run('write', { file_path: 'bound-marker.txt', content: 'from the unbound endpoint\n' });
        expect(textOf(await call(bound, 'read', { file_path: 'bound-marker.txt' }))).toBe(
          '     1\tfrom the unbound endpoint',
        );
        expect(textOf(await call(bound, 'bash', { command: 'cat bound-marker.txt' }))).toBe(
          'from the unbound endpoint',
        );
      } finally {
        await closeMcp(bound);
      }
    });

    it('cannot be pointed at another sandbox by the arguments', async () => {
      const other = structuredOf(await call(agent, 'sandbox_create', {})).id as string;
      await run('write', { file_path: 'which.txt', content: 'bound\n' });
      await call(agent, 'write', { sandbox_id: other, file_path: 'which.txt', content: 'other\n' });
      const bound = await connectMcpHttp(gw.url, 'streamable', { headers: ALICE, profile: `agent/${sandboxId}` });
      try {
        const r = await call(bound, 'read', { file_path: 'which.txt', sandbox_id: other });
        expect(errorOf(r).message).toMatch(/sandbox_id: unknown field/);
        const named = await call(bound, 'read', { file_path: 'which.txt', sandbox_name: other });
        expect(errorOf(named).message).toMatch(/sandbox_name: unknown field/);
        expect(textOf(await call(bound, 'read', { file_path: 'which.txt' }))).toBe('     1\tbound');
      } finally {
        await closeMcp(bound);
        await call(agent, 'sandbox_delete', { id: other });
      }
    });

    it('another tenant’s sandbox is not found, on every tool', async () => {
      const bob = await connectMcpHttp(gw.url, 'streamable', { headers: BOB, profile: `agent/${sandboxId}` });
      try {
        for (const [name, args] of [
          ['bash', { command: 'touch /workspace/bob-was-here' }],
          ['read', { file_path: 'notes/ten.txt' }],
          ['write', { file_path: 'bob.txt', content: 'x' }],
          ['glob', { pattern: '**/*' }],
        ] as const) {
          const r = await call(bob, name, args);
          expect(errorOf(r).code).toBe('not_found');
          expect(textOf(r)).not.toContain('line 1');
        }
      } finally {
        await closeMcp(bob);
      }
      expect(errorOf(await run('read', { file_path: 'bob-was-here' })).code).toBe('not_found');
      expect(errorOf(await run('read', { file_path: 'bob.txt' })).code).toBe('not_found');
    });

    it('answers 404 for an unknown profile, and keeps a session on the endpoint it was opened on', async () => {
      const res = await new RawMcpHttp(`${gw.url}/mcp/nope/${sandboxId}`, ALICE).initialize();
      expect(res.status).toBe(404);
      const raw = new RawMcpHttp(`${gw.url}/mcp/agent/${sandboxId}`, ALICE);
      expect((await raw.initialize()).status).toBe(200);
      const elsewhere = new RawMcpHttp(`${gw.url}/mcp/agent`, ALICE);
      elsewhere.sessionId = raw.sessionId;
      const ping = await elsewhere.post({ jsonrpc: '2.0', id: 2, method: 'ping' });
      expect(ping.status).toBe(404);
    });
  });
});
