import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { SignJWT } from 'jose';
import {
  closeMcp,
  connectMcpHttp,
  RawMcpHttp,
  startTestGateway,
  structuredOf,
  textOf,
  type McpHttpTransportKind,
  type TestGateway,
} from '@sandboxed/testing';

const SECRET = 'mcp-test-secret-that-is-at-least-32-bytes!';
const SLOW = 60_000;

async function token(sub: string, scope = 'sandbox:read sandbox:write'): Promise<string> {
  return new SignJWT({ scope })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(sub)
    .setIssuedAt()
    .setExpirationTime('5m')
    .sign(new TextEncoder().encode(SECRET));
}

const bearer = async (sub: string, scope?: string): Promise<Record<string, string>> => ({
  authorization: `Bearer ${await token(sub, scope)}`,
});

/** GET /sse by hand; resolves with the announced messages endpoint. */
async function openSse(
  url: string,
  headers: Record<string, string>,
  signal: AbortSignal,
): Promise<{ status: number; endpoint?: string }> {
  const res = await fetch(`${url}/sse`, { headers: { accept: 'text/event-stream', ...headers }, signal });
  if (res.status !== 200) return { status: res.status };
  const chunk = new TextDecoder().decode((await res.body!.getReader().read()).value);
  return { status: 200, endpoint: /event: endpoint\ndata: (\S+)/.exec(chunk)?.[1] };
}

/** A request with a Host header of our choosing (fetch does not allow setting it). */
function withHost(url: string, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      `${url}/mcp`,
      {
        method: 'POST',
        headers: { host, 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      },
      (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      },
    );
    req.on('error', reject);
    req.end(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping' }));
  });
}

describe('MCP auth and tenancy', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway({
      onlyPlugins: ['runtime-local', 'capability-shell', 'transport-mcp'],
      config: { auth: { jwt: { secret: SECRET } } },
    });
  }, SLOW);
  afterAll(async () => gw?.close(), SLOW);

  it('answers a missing or bad token with 401 and WWW-Authenticate, on both transports', async () => {
    const none = await new RawMcpHttp(`${gw.url}/mcp`).initialize();
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toMatch(/^Bearer realm="sandboxed"/);
    expect(none.messages[0].error.message).toMatch(/Missing credentials/);
    const bad = await new RawMcpHttp(`${gw.url}/mcp`, { authorization: 'Bearer not.a.jwt' }).initialize();
    expect(bad.status).toBe(401);
    expect(bad.headers.get('www-authenticate')).toMatch(/error="invalid_token"/);
    const ctl = new AbortController();
    expect((await openSse(gw.url, {}, ctl.signal)).status).toBe(401);
    ctl.abort();
    await expect(connectMcpHttp(gw.url, 'streamable')).rejects.toThrow();
  });

  it('checks the token on every request of a session, not only at initialize', async () => {
    const alice = new RawMcpHttp(`${gw.url}/mcp`, await bearer('alice'));
    expect((await alice.initialize()).status).toBe(200);
    const noToken = new RawMcpHttp(`${gw.url}/mcp`);
    noToken.sessionId = alice.sessionId;
    expect((await noToken.post({ jsonrpc: '2.0', id: 1, method: 'tools/list' })).status).toBe(401);
    expect((await alice.post({ jsonrpc: '2.0', id: 2, method: 'tools/list' })).status).toBe(200);
  });

  it('binds a session to its principal: another user gets 404 on it', async () => {
    const alice = new RawMcpHttp(`${gw.url}/mcp`, await bearer('alice'));
    await alice.initialize();
    const bob = new RawMcpHttp(`${gw.url}/mcp`, await bearer('bob'));
    bob.sessionId = alice.sessionId;
    const stolen = await bob.post({ jsonrpc: '2.0', id: 1, method: 'tools/list' });
    expect(stolen.status).toBe(404);
    expect(stolen.messages[0].error.code).toBe(-32001);
    const del = await fetch(`${gw.url}/mcp`, {
      method: 'DELETE',
      headers: { ...(await bearer('bob')), 'mcp-session-id': alice.sessionId! },
    });
    expect(del.status).toBe(404);
    expect((await alice.post({ jsonrpc: '2.0', id: 2, method: 'tools/list' })).status).toBe(200);
  });

  it('binds an SSE session to its principal', async () => {
    const ctl = new AbortController();
    const { endpoint } = await openSse(gw.url, await bearer('alice'), ctl.signal);
    const post = async (sub: string) =>
      fetch(`${gw.url}${endpoint}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(await bearer(sub)) },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping' }),
      });
    expect((await post('bob')).status).toBe(404);
    expect((await post('alice')).status).toBe(202);
    ctl.abort();
  });

  it('refuses a foreign Origin and a rebound Host with 403, even with a valid token', async () => {
    const res = await new RawMcpHttp(`${gw.url}/mcp`, {
      ...(await bearer('alice')),
      origin: 'https://evil.example',
    }).initialize();
    expect(res.status).toBe(403);
    const ctl = new AbortController();
    expect(
      (await openSse(gw.url, { ...(await bearer('alice')), origin: 'https://evil.example' }, ctl.signal)).status,
    ).toBe(403);
    ctl.abort();
    expect(await withHost(gw.url, 'evil.example')).toBe(403);
    expect(await withHost(gw.url, `localhost:${new URL(gw.url).port}`)).not.toBe(403);
  });

  describe.each<McpHttpTransportKind>(['streamable', 'sse'])('tenancy over %s', (kind) => {
    let alice: Client;
    let bob: Client;
    beforeAll(async () => {
      alice = await connectMcpHttp(gw.url, kind, { headers: await bearer('alice'), profile: 'full' });
      bob = await connectMcpHttp(gw.url, kind, { headers: await bearer('bob'), profile: 'full' });
    });
    afterAll(async () => {
      await closeMcp(alice);
      await closeMcp(bob);
    });

    it(
      'keeps one user’s sandboxes invisible and unusable to another',
      async () => {
        const sb = structuredOf(
          await alice.callTool({ name: 'create_sandbox', arguments: { name: 'secret', language: 'bash' } }),
        ).sandbox;
        const bobs = structuredOf(await bob.callTool({ name: 'list_sandboxes', arguments: {} }));
        expect(bobs.sandboxes).not.toContain('secret');
        expect(bobs.details.map((s: { id: string }) => s.id)).not.toContain(sb.id);
        const exec = await bob.callTool({
          name: 'shell_exec',
          arguments: { sandbox_id: sb.id, command: 'echo pwned' },
        });
        expect(exec.isError).toBe(true);
        expect(textOf(exec)).toMatch(/not_found/);
        const byName = await bob.callTool({ name: 'destroy_sandbox', arguments: { sandbox_name: 'secret' } });
        expect(structuredOf(byName)).toMatchObject({ success: false, message: 'No sandbox named "secret"' });
        // sandbox_name also takes the id of an unnamed sandbox: only of the caller's own.
        const byIdAsName = await bob.callTool({ name: 'destroy_sandbox', arguments: { sandbox_name: sb.id } });
        expect(structuredOf(byIdAsName)).toMatchObject({ success: false, message: `No sandbox named "${sb.id}"` });
        const mine = structuredOf(await alice.callTool({ name: 'list_sandboxes', arguments: {} }));
        expect(mine.sandboxes).toContain('secret');
        expect(
          structuredOf(await alice.callTool({ name: 'destroy_sandbox', arguments: { sandbox_id: sb.id } })).success,
        ).toBe(true);
      },
      SLOW,
    );
  });

  it('enforces scopes through the tools: a read-only token cannot create', async () => {
    const reader = await connectMcpHttp(gw.url, 'streamable', {
      headers: await bearer('carol', 'sandbox:read'),
      profile: 'full',
    });
    const res = await reader.callTool({ name: 'create_sandbox', arguments: { language: 'python' } });
    expect(res.isError).toBe(true);
    expect(textOf(res)).toMatch(/forbidden.*sandbox:write/);
    expect(structuredOf(await reader.callTool({ name: 'list_sandboxes', arguments: {} })).count).toBe(0);
    await closeMcp(reader);
  });
});
