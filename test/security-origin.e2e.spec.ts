import { request } from 'node:http';
import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { RawMcpHttp, startTestGateway, type TestGateway } from '@sandboxed/testing';
import { WsTestClient } from './support/ws-test.client.js';

const PLUGINS = ['runtime-local', 'capability-shell', 'transport-rest', 'transport-ws', 'transport-mcp'];
const EXTRA = ['capability-terminal', 'capability-ports'];
const NO_SANDBOX = 'nosuchsandbox0123456789abcdef';

interface Answer {
  status: number;
  body: any;
}

/** A request with headers fetch will not send (Host), over a real connection. */
function raw(gw: TestGateway, path: string, headers: Record<string, string>, method = 'GET'): Promise<Answer> {
  const url = new URL(gw.url);
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, path, method, headers }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => {
        let body: unknown = text;
        try {
          body = JSON.parse(text);
        } catch {
          /* not JSON */
        }
        resolve({ status: res.statusCode ?? 0, body });
      });
    });
    req.on('error', reject);
    req.end();
  });
}

/** The upgrade's outcome: 'open', or the HTTP status it was refused with (and its body). */
async function upgrade(
  gw: TestGateway,
  path: string,
  headers: Record<string, string>,
): Promise<{ status: number | 'open'; body?: any }> {
  try {
    const client = await WsTestClient.connect(`${gw.url.replace('http', 'ws')}${path}`, headers);
    client.ws.terminate();
    return { status: 'open' };
  } catch (err) {
    const e = err as { status?: number; body?: string };
    if (e.status === undefined) throw err;
    return { status: e.status, body: JSON.parse(e.body ?? '{}') };
  }
}

const port = (gw: TestGateway): string => new URL(gw.url).port;

describe('Host and Origin checks (issue 8, item 2)', () => {
  describe('dev mode (no auth configured)', () => {
    let gw: TestGateway;
    beforeAll(async () => {
      gw = await startTestGateway({
        onlyPlugins: PLUGINS,
        extraPlugins: EXTRA,
        config: { server: { allowedOrigins: ['https://console.example.com'] } },
      });
    });
    afterAll(async () => gw?.close());

    it('answers loopback Host names, with any port', async () => {
      for (const host of [`127.0.0.1:${port(gw)}`, `localhost:${port(gw)}`, `[::1]:${port(gw)}`, 'localhost']) {
        expect((await raw(gw, '/v1/sandboxes', { host })).status).toBe(200);
      }
    });

    it('refuses a foreign Host on every HTTP route with 403 saying what to configure', async () => {
      for (const path of [
        '/v1/sandboxes',
        '/health',
        '/openapi.json',
        '/v1/nope',
        `/v1/sandboxes/${NO_SANDBOX}/ports/80/`,
      ]) {
        const res = await raw(gw, path, { host: `evil.example:${port(gw)}` });
        expect(res.status).toBe(403);
        expect(res.body.error.code).toBe('forbidden');
        expect(res.body.error.message).toMatch(/Host "evil\.example:\d+" is not allowed/);
        expect(res.body.error.message).toMatch(/server\.allowedHosts/);
        expect(res.body.error.message).toMatch(/auth\./);
      }
      const post = await raw(
        gw,
        '/v1/sandboxes',
        { host: 'rebound.example', 'content-type': 'application/json' },
        'POST',
      );
      expect(post.status).toBe(403);
    });

    it('accepts no Origin and loopback Origins', async () => {
      expect((await raw(gw, '/v1/sandboxes', {})).status).toBe(200);
      for (const origin of ['http://localhost:3000', 'http://127.0.0.1:5173', 'http://[::1]:8080']) {
        expect((await raw(gw, '/v1/sandboxes', { origin })).status).toBe(200);
      }
      expect((await raw(gw, '/v1/sandboxes', { origin: 'https://console.example.com' })).status).toBe(200);
    });

    it('refuses a foreign Origin and Origin: null with 403 naming server.allowedOrigins', async () => {
      for (const origin of ['https://evil.example', 'null', 'http://localhost.evil.example', 'not a url']) {
        const res = await raw(gw, '/v1/sandboxes', { origin });
        expect(res.status).toBe(403);
        expect(res.body.error).toMatchObject({
          code: 'forbidden',
          message: expect.stringMatching(/Origin .* is not allowed.*server\.allowedOrigins/),
        });
      }
    });

    it('applies the same checks to WebSocket upgrades: /v1/ws, the terminal and port tunnels', async () => {
      expect((await upgrade(gw, '/v1/ws', {})).status).toBe('open');
      expect((await upgrade(gw, '/v1/ws', { origin: 'http://localhost:3000' })).status).toBe('open');
      for (const path of [
        '/v1/ws',
        `/v1/sandboxes/${NO_SANDBOX}/terminal`,
        `/v1/sandboxes/${NO_SANDBOX}/ports/80/ws`,
      ]) {
        for (const headers of [
          { origin: 'https://evil.example' } as Record<string, string>,
          { origin: 'null' },
          { host: `evil.example:${port(gw)}` },
        ]) {
          const res = await upgrade(gw, path, headers);
          expect({ path, headers, status: res.status }).toEqual({ path, headers, status: 403 });
          expect(res.body.error.code).toBe('forbidden');
        }
      }
      // Allowed, the request goes on to the channel, which finds no such sandbox.
      expect((await upgrade(gw, `/v1/sandboxes/${NO_SANDBOX}/terminal`, {})).status).toBe(404);
    });

    it('uses the same policy and keys for MCP', async () => {
      const evil = await new RawMcpHttp(`${gw.url}/mcp`, { origin: 'https://evil.example' }).initialize();
      expect(evil.status).toBe(403);
      expect(evil.messages[0].error.message).toMatch(/server\.allowedOrigins/);
      const listed = await new RawMcpHttp(`${gw.url}/mcp`, { origin: 'https://console.example.com' }).initialize();
      expect(listed.status).toBe(200);
    });
  });

  describe('auth on', () => {
    let gw: TestGateway;
    const KEY = { 'x-api-key': 'k_alice' };
    beforeAll(async () => {
      gw = await startTestGateway({
        onlyPlugins: PLUGINS,
        config: {
          auth: { apiKeys: { k_alice: 'alice' } },
          server: { allowedOrigins: ['https://app.example.com'], allowedHosts: ['gw.example.com'] },
        },
      });
    });
    afterAll(async () => gw?.close());

    it('lets callers without an Origin (CLIs, servers) and the listed origins through', async () => {
      expect((await raw(gw, '/v1/sandboxes', KEY)).status).toBe(200);
      expect((await raw(gw, '/v1/sandboxes', { ...KEY, origin: 'https://app.example.com' })).status).toBe(200);
      expect((await raw(gw, '/v1/sandboxes', { ...KEY, origin: gw.url })).status).toBe(200);
    });

    it('refuses browsers from other origins, and null, even with valid credentials', async () => {
      for (const origin of ['https://evil.example', 'null', 'https://app.example.com.evil.example']) {
        const res = await raw(gw, '/v1/sandboxes', { ...KEY, origin });
        expect(res.status).toBe(403);
        expect(res.body.error.message).toMatch(/server\.allowedOrigins/);
        expect((await raw(gw, '/v1/ws/ticket', { ...KEY, origin }, 'POST')).status).toBe(403);
        expect((await upgrade(gw, '/v1/ws', { ...KEY, origin })).status).toBe(403);
      }
      expect((await upgrade(gw, '/v1/ws', { ...KEY, origin: 'https://app.example.com' })).status).toBe('open');
    });

    it('refuses a rebound Host on a loopback socket, and answers the names in server.allowedHosts', async () => {
      expect((await raw(gw, '/v1/sandboxes', { ...KEY, host: 'evil.example' })).status).toBe(403);
      expect((await upgrade(gw, '/v1/ws', { ...KEY, host: 'evil.example' })).status).toBe(403);
      expect((await raw(gw, '/v1/sandboxes', { ...KEY, host: `gw.example.com:${port(gw)}` })).status).toBe(200);
    });

    it('checks Host and Origin before credentials, so a refusal says what is wrong', async () => {
      const res = await raw(gw, '/v1/sandboxes', { origin: 'https://evil.example' });
      expect(res.status).toBe(403);
    });
  });
});
