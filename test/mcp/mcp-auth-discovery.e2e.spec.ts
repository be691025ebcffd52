import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  discoverOAuthProtectedResourceMetadata,
  extractResourceMetadataUrl,
  extractWWWAuthenticateParams,
  selectResourceURL,
  type OAuthClientProvider,
} from '@modelcontextprotocol/sdk/client/auth.js';
import { SignJWT } from 'jose';
import { closeMcp, connectMcpHttp, RawMcpHttp, startTestGateway, type TestGateway } from '@sandboxed/testing';

const SECRET = 'discovery-test-secret-at-least-32-bytes!';
const ISSUER = 'https://auth.example.test/';
const APP = 'https://app.example.test';
const MCP_ONLY = 'https://mcp-client.example.test';
const EVIL = 'https://evil.example.test';
const PLUGINS = ['runtime-local', 'capability-shell', 'transport-rest'];
const SLOW = 60_000;
const INITIALIZE = {
  jsonrpc: '2.0',
  id: 0,
  method: 'initialize',
  params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'raw', version: '0' } },
};

function token(scope: string): Promise<string> {
  return new SignJWT({ scope })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject('alice')
    .setIssuer(ISSUER)
    .setExpirationTime('5m')
    .sign(new TextEncoder().encode(SECRET));
}

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/** Over a raw connection, since fetch will not send `Origin` or a preflight the way a browser does. */
function send(
  gw: TestGateway,
  method: string,
  path: string,
  headers: Record<string, string>,
  body?: string,
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${gw.url}${path}`, { method, headers }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const preflight = (gw: TestGateway, path: string, origin: string): Promise<Answer> =>
  send(gw, 'OPTIONS', path, {
    origin,
    'access-control-request-method': 'POST',
    'access-control-request-headers': 'authorization,content-type,mcp-protocol-version,mcp-session-id',
  });

const listOf = (v: string | string[] | undefined): string[] =>
  String(v ?? '')
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean);

describe('MCP auth discovery (RFC 9728) and CORS', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway({
      onlyPlugins: PLUGINS,
      extraPlugins: [
        {
          use: 'transport-mcp',
          options: { profiles: { reader: { include: ['sandbox.list', 'sandbox.get'] } }, allowedOrigins: [MCP_ONLY] },
        },
      ],
      config: { auth: { jwt: { secret: SECRET, issuer: ISSUER } }, server: { allowedOrigins: [APP] } },
    });
  }, SLOW);
  afterAll(async () => gw?.close(), SLOW);

  describe('metadata', () => {
    it.each([
      ['', ''],
      ['/mcp', '/mcp'],
      ['/mcp/reader', '/mcp/reader'],
      ['/sse', '/sse'],
    ])('serves the metadata of "%s" with exactly the RFC 9728 fields', async (suffix, resource) => {
      const res = await fetch(`${gw.url}/.well-known/oauth-protected-resource${suffix}`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^application\/json/);
      expect(await res.json()).toEqual({
        resource: `${gw.url}${resource}`,
        authorization_servers: [ISSUER],
        scopes_supported: ['sandbox:read', 'sandbox:write'],
        bearer_methods_supported: ['header'],
        resource_name: 'sandboxed',
      });
    });

    it('has no metadata for a path that is not a resource', async () => {
      for (const suffix of ['/mcp/nosuchprofile', '/v1/sandboxes', '/mcp/reader/x']) {
        const res = await fetch(`${gw.url}/.well-known/oauth-protected-resource${suffix}`);
        expect(res.status).toBe(404);
        expect(((await res.json()) as any).error.code).toBe('not_found');
      }
    });
  });

  describe('challenges', () => {
    it('a 401 from /mcp names the metadata and the scope, and the SDK client discovers it', async () => {
      const res = await fetch(`${gw.url}/mcp`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
        body: JSON.stringify(INITIALIZE),
      });
      expect(res.status).toBe(401);
      const challenge = res.headers.get('www-authenticate')!;
      expect(challenge).toMatch(/^Bearer /);
      expect(challenge).toContain(`resource_metadata="${gw.url}/.well-known/oauth-protected-resource/mcp"`);
      expect(challenge).toContain('scope="sandbox:read sandbox:write"');
      expect(challenge).not.toContain('error=');

      // The SDK's own client helpers, as an MCP client runs them after a 401.
      const params = extractWWWAuthenticateParams(res);
      expect(params.scope).toBe('sandbox:read sandbox:write');
      expect(params.resourceMetadataUrl?.href).toBe(`${gw.url}/.well-known/oauth-protected-resource/mcp`);
      expect(extractResourceMetadataUrl(res)?.href).toBe(params.resourceMetadataUrl?.href);
      const serverUrl = new URL(`${gw.url}/mcp`);
      const metadata = await discoverOAuthProtectedResourceMetadata(serverUrl, {
        resourceMetadataUrl: params.resourceMetadataUrl,
      });
      expect(metadata.authorization_servers).toEqual([ISSUER]);
      expect(metadata.scopes_supported).toEqual(['sandbox:read', 'sandbox:write']);
      // The resource the client will ask the authorization server for: the metadata's, checked against the URL.
      const resource = await selectResourceURL(serverUrl, {} as OAuthClientProvider, metadata);
      expect(resource?.href).toBe(`${gw.url}/mcp`);
    });

    it('a profile endpoint names its own metadata and scope; the SDK finds it by the well-known path too', async () => {
      const res = await new RawMcpHttp(`${gw.url}/mcp/reader`).post(INITIALIZE);
      expect(res.status).toBe(401);
      const params = extractWWWAuthenticateParams({ headers: res.headers } as Response);
      expect(params.scope).toBe('sandbox:read');
      expect(params.resourceMetadataUrl?.href).toBe(`${gw.url}/.well-known/oauth-protected-resource/mcp/reader`);
      // Without the header: the SDK builds /.well-known/oauth-protected-resource/mcp/reader itself.
      const metadata = await discoverOAuthProtectedResourceMetadata(new URL(`${gw.url}/mcp/reader`));
      expect(metadata.resource).toBe(`${gw.url}/mcp/reader`);
    });

    it('an invalid token gets 401 with error="invalid_token"', async () => {
      const res = await new RawMcpHttp(`${gw.url}/mcp`, { authorization: 'Bearer not.a.jwt' }).post(INITIALIZE);
      expect(res.status).toBe(401);
      const params = extractWWWAuthenticateParams({ headers: res.headers } as Response);
      expect(params.error).toBe('invalid_token');
      expect(params.resourceMetadataUrl?.href).toBe(`${gw.url}/.well-known/oauth-protected-resource/mcp`);
    });

    it('a token without any scope the tools need gets 403 insufficient_scope naming them', async () => {
      const res = await new RawMcpHttp(`${gw.url}/mcp/reader`, {
        authorization: `Bearer ${await token('sandbox:write')}`,
      }).post(INITIALIZE);
      expect(res.status).toBe(403);
      expect(res.messages[0].error.message).toMatch(/sandbox:read/);
      const challenge = res.headers.get('www-authenticate')!;
      expect(challenge).toContain('error="insufficient_scope"');
      expect(challenge).toContain('scope="sandbox:read"');
      expect(challenge).toContain(`resource_metadata="${gw.url}/.well-known/oauth-protected-resource/mcp/reader"`);
    });

    it('a token with one of the scopes is admitted, and the SDK client works', async () => {
      const reader = await new RawMcpHttp(`${gw.url}/mcp/reader`, {
        authorization: `Bearer ${await token('sandbox:read')}`,
      }).post(INITIALIZE);
      expect(reader.status).toBe(200);
      const client = await connectMcpHttp(gw.url, 'streamable', {
        headers: { authorization: `Bearer ${await token('sandbox:read sandbox:write')}` },
      });
      expect((await client.listTools()).tools.length).toBeGreaterThan(0);
      await closeMcp(client);
    });

    it('a REST 401 names the gateway-wide metadata', async () => {
      const res = await fetch(`${gw.url}/v1/sandboxes`);
      expect(res.status).toBe(401);
      const params = extractWWWAuthenticateParams(res);
      expect(params.resourceMetadataUrl?.href).toBe(`${gw.url}/.well-known/oauth-protected-resource`);
      const metadata = await discoverOAuthProtectedResourceMetadata(new URL(gw.url), {
        resourceMetadataUrl: params.resourceMetadataUrl,
      });
      expect(metadata.resource).toBe(gw.url);
    });
  });

  describe('CORS', () => {
    it('a preflight from an allowed origin passes with the MCP headers allowed', async () => {
      const res = await preflight(gw, '/mcp', APP);
      expect(res.status).toBe(204);
      expect(res.headers['access-control-allow-origin']).toBe(APP);
      expect(listOf(res.headers['access-control-allow-methods'])).toEqual(
        expect.arrayContaining(['get', 'post', 'delete']),
      );
      expect(listOf(res.headers['access-control-allow-headers'])).toEqual(
        expect.arrayContaining([
          'authorization',
          'content-type',
          'mcp-session-id',
          'mcp-protocol-version',
          'mcp-method',
          'mcp-name',
          'last-event-id',
        ]),
      );
      expect(listOf(res.headers.vary)).toContain('origin');
    });

    it('a preflight from another origin fails: 403 and no allow-origin', async () => {
      for (const origin of [EVIL, 'http://localhost:5173', 'null']) {
        const res = await preflight(gw, '/mcp', origin);
        expect(res.status).toBe(403);
        expect(res.headers['access-control-allow-origin']).toBeUndefined();
      }
      const rest = await preflight(gw, '/v1/sandboxes', EVIL);
      expect(rest.status).toBe(403);
      expect(JSON.parse(rest.body).error.message).toMatch(/server\.allowedOrigins/);
    });

    it("transport-mcp's allowedOrigins open the MCP endpoints and the metadata only", async () => {
      expect((await preflight(gw, '/mcp/reader', MCP_ONLY)).headers['access-control-allow-origin']).toBe(MCP_ONLY);
      const meta = await preflight(gw, '/.well-known/oauth-protected-resource/mcp', MCP_ONLY);
      expect(meta.status).toBe(204);
      const rest = await preflight(gw, '/v1/sandboxes', MCP_ONLY);
      expect(rest.status).toBe(403);
      expect(rest.headers['access-control-allow-origin']).toBeUndefined();
    });

    it('a cross-origin POST from an allowed origin gets ACAO and can read the session id and the challenge', async () => {
      const headers = {
        origin: APP,
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
      };
      const refused = await send(gw, 'POST', '/mcp', headers, JSON.stringify(INITIALIZE));
      expect(refused.status).toBe(401);
      expect(refused.headers['access-control-allow-origin']).toBe(APP);
      expect(listOf(refused.headers['access-control-expose-headers'])).toContain('www-authenticate');

      const auth = { authorization: `Bearer ${await token('sandbox:read sandbox:write')}` };
      const ok = await send(gw, 'POST', '/mcp', { ...headers, ...auth }, JSON.stringify(INITIALIZE));
      expect(ok.status).toBe(200);
      expect(ok.headers['mcp-session-id']).toBeDefined();
      expect(ok.headers['access-control-allow-origin']).toBe(APP);
      expect(listOf(ok.headers['access-control-expose-headers'])).toEqual(
        expect.arrayContaining(['mcp-session-id', 'www-authenticate']),
      );
      await send(gw, 'DELETE', '/mcp', {
        ...auth,
        origin: APP,
        'mcp-session-id': String(ok.headers['mcp-session-id']),
      });
    });

    it('the metadata is readable cross-origin by allowed origins only', async () => {
      const ok = await send(gw, 'GET', '/.well-known/oauth-protected-resource/mcp', { origin: APP });
      expect(ok.status).toBe(200);
      expect(ok.headers['access-control-allow-origin']).toBe(APP);
      const evil = await send(gw, 'GET', '/.well-known/oauth-protected-resource/mcp', { origin: EVIL });
      expect(evil.headers['access-control-allow-origin']).toBeUndefined();
    });
  });
});

describe('MCP auth discovery without an issuer', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway({
      onlyPlugins: [...PLUGINS, 'transport-mcp'],
      config: { auth: { jwt: { secret: SECRET } } },
    });
  }, SLOW);
  afterAll(async () => gw?.close(), SLOW);

  it('serves no metadata (404) and challenges without resource_metadata', async () => {
    for (const suffix of ['', '/mcp']) {
      const res = await fetch(`${gw.url}/.well-known/oauth-protected-resource${suffix}`);
      expect(res.status).toBe(404);
      expect(((await res.json()) as any).error.message).toMatch(/auth\.jwt\.issuer/);
    }
    const mcp = await new RawMcpHttp(`${gw.url}/mcp`).post(INITIALIZE);
    expect(mcp.status).toBe(401);
    expect(mcp.headers.get('www-authenticate')).not.toContain('resource_metadata');
    const rest = await fetch(`${gw.url}/v1/sandboxes`);
    expect(rest.headers.get('www-authenticate')).toBe('Bearer realm="sandboxed"');
    await expect(discoverOAuthProtectedResourceMetadata(new URL(`${gw.url}/mcp`))).rejects.toThrow(
      /does not implement OAuth 2.0 Protected Resource Metadata/,
    );
  });
});
