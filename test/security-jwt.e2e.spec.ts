import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { SignJWT } from 'jose';
import { HttpClient, startTestGateway, type TestGateway } from '@sandboxed/testing';

const SECRET = 'test-secret-that-is-at-least-32-bytes-long!';
const CORE = ['runtime-local', 'capability-shell', 'transport-rest'];
const now = (): number => Math.floor(Date.now() / 1000);

/** Signs exactly the claims given (no defaults added), so tests control `sub`, `iat` and `exp`. */
function sign(claims: Record<string, unknown>): Promise<string> {
  return new SignJWT({ scope: 'sandbox:read', ...claims })
    .setProtectedHeader({ alg: 'HS256' })
    .sign(new TextEncoder().encode(SECRET));
}

async function status(gw: TestGateway, token: string): Promise<{ status: number; message?: string }> {
  const res = await new HttpClient(gw.url, { authorization: `Bearer ${token}` }).get('/v1/sandboxes');
  return { status: res.status, message: res.body?.error?.message };
}

describe('JWT claims (issue 8, item 17)', () => {
  describe('sub', () => {
    let gw: TestGateway;
    beforeAll(async () => {
      gw = await startTestGateway({ onlyPlugins: CORE, config: { auth: { jwt: { secret: SECRET } } } });
    });
    afterAll(async () => gw?.close());

    it('accepts a string sub', async () => {
      expect((await status(gw, await sign({ sub: 'alice', exp: now() + 60 }))).status).toBe(200);
    });

    it.each([
      ['a number', 42],
      ['an object', { id: 'alice' }],
      ['an array', ['alice']],
      ['an empty string', ''],
    ])('refuses a sub that is %s with 401 and says why', async (_what, sub) => {
      const res = await status(gw, await sign({ sub, exp: now() + 60 }));
      expect(res.status).toBe(401);
      expect(res.message).toMatch(/"sub"/);
      expect(res.message).toMatch(/non-empty string/);
    });
  });

  describe('auth.jwt.maxLifetimeSeconds', () => {
    let gw: TestGateway;
    beforeAll(async () => {
      gw = await startTestGateway({
        onlyPlugins: CORE,
        config: { auth: { jwt: { secret: SECRET, maxLifetimeSeconds: 3600 } } },
      });
    });
    afterAll(async () => gw?.close());

    it('accepts a token whose exp - iat is within the limit', async () => {
      const iat = now();
      expect((await status(gw, await sign({ sub: 'alice', iat, exp: iat + 3600 }))).status).toBe(200);
    });

    it('refuses a token that lives longer than the limit, naming the key', async () => {
      const iat = now();
      const res = await status(gw, await sign({ sub: 'alice', iat, exp: iat + 3601 }));
      expect(res.status).toBe(401);
      expect(res.message).toMatch(/auth\.jwt\.maxLifetimeSeconds/);
    });

    it('refuses a token without iat when a maximum lifetime is set', async () => {
      const res = await status(gw, await sign({ sub: 'alice', exp: now() + 60 }));
      expect(res.status).toBe(401);
      expect(res.message).toMatch(/"iat"/);
    });

    it('refuses a token issued in the future (which would dodge the lifetime check)', async () => {
      const iat = now() + 86_400;
      const res = await status(gw, await sign({ sub: 'alice', iat, exp: iat + 60 }));
      expect(res.status).toBe(401);
      expect(res.message).toMatch(/"iat"/);
    });
  });

  it('does not limit lifetimes by default', async () => {
    const gw = await startTestGateway({ onlyPlugins: CORE, config: { auth: { jwt: { secret: SECRET } } } });
    try {
      expect((await status(gw, await sign({ sub: 'alice', exp: now() + 10 * 365 * 86_400 }))).status).toBe(200);
    } finally {
      await gw.close();
    }
  });
});
