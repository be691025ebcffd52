import { createServer, type Server } from 'node:http';
import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { SignJWT, UnsecuredJWT, exportJWK, exportSPKI, generateKeyPair } from 'jose';
import { HttpClient, startTestGateway, type TestGateway } from '@sandboxed/testing';

const SECRET = 'test-secret-that-is-at-least-32-bytes-long!';
const ISSUER = 'https://issuer.test/';
const AUDIENCE = 'sandboxed';
const CORE = ['runtime-local', 'capability-shell', 'transport-rest'];

async function hsToken(
  claims: Record<string, unknown>,
  opts: { exp?: number | string | false; alg?: string; secret?: string } = {},
): Promise<string> {
  let jwt = new SignJWT({ scope: 'sandbox:read sandbox:write', iss: ISSUER, aud: AUDIENCE, ...claims })
    .setProtectedHeader({ alg: opts.alg ?? 'HS256' })
    .setIssuedAt();
  if (opts.exp !== false) jwt = jwt.setExpirationTime(opts.exp ?? '5m');
  return jwt.sign(new TextEncoder().encode(opts.secret ?? SECRET));
}

describe('auth (HS256 + API keys)', () => {
  let gw: TestGateway;
  let anon: HttpClient;
  beforeAll(async () => {
    gw = await startTestGateway({
      onlyPlugins: CORE,
      config: {
        auth: { jwt: { secret: SECRET, issuer: ISSUER, audience: AUDIENCE }, apiKeys: { 'sk-test-carol': 'carol' } },
      },
    });
    anon = new HttpClient(gw.url);
  });
  afterAll(async () => gw?.close());

  const as = async (sub: string, claims: Record<string, unknown> = {}): Promise<HttpClient> =>
    anon.withHeaders({ authorization: `Bearer ${await hsToken({ sub, ...claims })}` });

  it('serves /health without credentials', async () => {
    const res = await anon.get('/health');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'ok', runtime: 'local', version: expect.any(String) });
    expect(typeof res.body.uptimeSeconds).toBe('number');
  });

  it('rejects a request with no token: 401, WWW-Authenticate and the error envelope', async () => {
    const res = await anon.get('/v1/sandboxes');
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect(res.body.error.code).toBe('unauthorized');
    expect(res.body.error.message).toMatch(/Missing credentials/);
  });

  it('rejects a bad signature', async () => {
    const token = await hsToken({ sub: 'alice' }, { secret: 'another-secret-that-is-also-32-bytes-long' });
    const res = await anon.withHeaders({ authorization: `Bearer ${token}` }).get('/v1/sandboxes');
    expect(res.status).toBe(401);
    expect(res.body.error.message).toBe('Invalid token');
  });

  it('rejects alg: none', async () => {
    const token = new UnsecuredJWT({ sub: 'alice', scope: 'sandbox:write' })
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setExpirationTime('5m')
      .encode();
    const res = await anon.withHeaders({ authorization: `Bearer ${token}` }).get('/v1/sandboxes');
    expect(res.status).toBe(401);
  });

  it('rejects an algorithm other than the pinned one', async () => {
    const token = await hsToken({ sub: 'alice' }, { alg: 'HS512' });
    const res = await anon.withHeaders({ authorization: `Bearer ${token}` }).get('/v1/sandboxes');
    expect(res.status).toBe(401);
    expect(res.body.error.message).toMatch(/algorithm/);
  });

  it('rejects an expired token', async () => {
    const token = await hsToken({ sub: 'alice' }, { exp: Math.floor(Date.now() / 1000) - 3600 });
    const res = await anon.withHeaders({ authorization: `Bearer ${token}` }).get('/v1/sandboxes');
    expect(res.status).toBe(401);
    expect(res.body.error.message).toBe('Token expired');
  });

  it('rejects a token without exp', async () => {
    const token = await hsToken({ sub: 'alice' }, { exp: false });
    const res = await anon.withHeaders({ authorization: `Bearer ${token}` }).get('/v1/sandboxes');
    expect(res.status).toBe(401);
    expect(res.body.error.message).toMatch(/exp/);
  });

  it('rejects the wrong issuer and audience', async () => {
    for (const claims of [{ iss: 'https://evil.test/' }, { aud: 'someone-else' }]) {
      const res = await (await as('alice', claims)).get('/v1/sandboxes');
      expect(res.status).toBe(401);
    }
  });

  it('checks scopes: no scope is forbidden, read-only cannot create', async () => {
    const none = await as('alice', { scope: '' });
    expect((await none.get('/v1/sandboxes')).status).toBe(403);
    const reader = await as('alice', { scope: 'sandbox:read' });
    expect((await reader.get('/v1/sandboxes')).status).toBe(200);
    const create = await reader.post('/v1/sandboxes', {});
    expect(create.status).toBe(403);
    expect(create.body.error.message).toMatch(/sandbox:write/);
  });

  it('keeps tenants apart: another principal gets 404 for every route', async () => {
    const alice = await as('alice');
    const bob = await as('bob');
    const id = await alice.createSandbox({ labels: { owner: 'alice' } });
    expect((await bob.get(`/v1/sandboxes/${id}`)).status).toBe(404);
    const exec = await bob.post(`/v1/sandboxes/${id}/exec`, { command: 'echo pwned > /workspace/x' });
    expect(exec.status).toBe(404);
    expect(exec.body.error.code).toBe('not_found');
    expect((await bob.delete(`/v1/sandboxes/${id}`)).status).toBe(404);
    expect((await bob.get('/v1/sandboxes')).body.sandboxes.map((s: { id: string }) => s.id)).not.toContain(id);
    const mine = await alice.get(`/v1/sandboxes/${id}`);
    expect(mine.status).toBe(200);
    const ls = await alice.post(`/v1/sandboxes/${id}/exec`, { command: 'ls /workspace' });
    expect(ls.body.stdout).toBe('');
    expect((await alice.delete(`/v1/sandboxes/${id}`)).status).toBe(204);
    expect((await alice.get(`/v1/sandboxes/${id}`)).status).toBe(404);
  });

  it('accepts a static API key (header or bearer) and maps it to its principal', async () => {
    const carol = anon.withHeaders({ 'x-api-key': 'sk-test-carol' });
    const id = await carol.createSandbox();
    const viaBearer = anon.withHeaders({ authorization: 'Bearer sk-test-carol' });
    expect((await viaBearer.get(`/v1/sandboxes/${id}`)).status).toBe(200);
    expect((await (await as('carol-impostor')).get(`/v1/sandboxes/${id}`)).status).toBe(404);
    const wrong = await anon.withHeaders({ 'x-api-key': 'sk-test-wrong' }).get('/v1/sandboxes');
    expect(wrong.status).toBe(401);
    expect(wrong.body.error.message).toBe('Invalid API key');
  });
});

describe('auth (RS256 public key, ES256 JWKS)', () => {
  it('verifies RS256 tokens against a configured public key and refuses HS256 forgeries', async () => {
    const { publicKey, privateKey } = await generateKeyPair('RS256');
    const pem = await exportSPKI(publicKey);
    const gw = await startTestGateway({ onlyPlugins: CORE, config: { auth: { jwt: { publicKey: pem } } } });
    try {
      const good = await new SignJWT({ sub: 'dave', scope: 'sandbox:read' })
        .setProtectedHeader({ alg: 'RS256' })
        .setExpirationTime('5m')
        .sign(privateKey);
      const ok = await new HttpClient(gw.url, { authorization: `Bearer ${good}` }).get('/v1/sandboxes');
      expect(ok.status).toBe(200);
      // The classic confusion attack: HMAC-sign with the public key's bytes.
      const forged = await new SignJWT({ sub: 'dave', scope: 'sandbox:read' })
        .setProtectedHeader({ alg: 'HS256' })
        .setExpirationTime('5m')
        .sign(new TextEncoder().encode(pem));
      const bad = await new HttpClient(gw.url, { authorization: `Bearer ${forged}` }).get('/v1/sandboxes');
      expect(bad.status).toBe(401);
    } finally {
      await gw.close();
    }
  });

  it('verifies ES256 tokens against a JWKS endpoint', async () => {
    const { publicKey, privateKey } = await generateKeyPair('ES256');
    const jwk = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'ES256', use: 'sig' };
    const jwks: Server = createServer((_req, res) =>
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [jwk] })),
    );
    await new Promise<void>((r) => jwks.listen(0, '127.0.0.1', r));
    const port = (jwks.address() as { port: number }).port;
    const gw = await startTestGateway({
      onlyPlugins: CORE,
      config: { auth: { jwt: { jwksUrl: `http://127.0.0.1:${port}/jwks.json` } } },
    });
    try {
      const token = await new SignJWT({ sub: 'erin', scope: 'sandbox:read' })
        .setProtectedHeader({ alg: 'ES256', kid: 'k1' })
        .setExpirationTime('5m')
        .sign(privateKey);
      const res = await new HttpClient(gw.url, { authorization: `Bearer ${token}` }).get('/v1/sandboxes');
      expect(res.status).toBe(200);
      const other = await generateKeyPair('ES256');
      const foreign = await new SignJWT({ sub: 'erin', scope: 'sandbox:read' })
        .setProtectedHeader({ alg: 'ES256', kid: 'k1' })
        .setExpirationTime('5m')
        .sign(other.privateKey);
      expect((await new HttpClient(gw.url, { authorization: `Bearer ${foreign}` }).get('/v1/sandboxes')).status).toBe(
        401,
      );
    } finally {
      await gw.close();
      jwks.close();
    }
  });
});

describe('boot-time auth rules', () => {
  it('refuses to start on a non-loopback host with no auth configured', async () => {
    await expect(
      startTestGateway({ onlyPlugins: CORE, config: { server: { host: '0.0.0.0', port: 0 } } }),
    ).rejects.toThrow(/No authentication is configured and server.host is 0.0.0.0/);
  });

  it('refuses a short HS256 secret', async () => {
    await expect(
      startTestGateway({ onlyPlugins: CORE, config: { auth: { jwt: { secret: 'short' } } } }),
    ).rejects.toThrow(/auth.jwt.secret: must be at least 32 bytes/);
  });
});
