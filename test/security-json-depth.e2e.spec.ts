import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { HttpClient, startTestGateway, type TestGateway } from '@sandboxed/testing';
import { WsTestClient } from './support/ws-test.client.js';

const DEEP = 50_000;
/** `{"a":{"a":…1…}}`, `depth` objects deep, as text (building it as a value would be the overflow we test). */
const nested = (depth: number): string => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
const nestedArrays = (depth: number): string => `${'['.repeat(depth)}${']'.repeat(depth)}`;
// Parsing and validation come before the sandbox is looked up: a 404 means the body was read fine.
const sandbox = 'nosuchsandbox0123456789abcdef';

describe('deeply nested JSON (issue 8, item 14)', () => {
  let gw: TestGateway;
  let api: HttpClient;
  beforeAll(async () => {
    gw = await startTestGateway({
      onlyPlugins: ['runtime-local', 'capability-shell', 'transport-rest', 'transport-ws'],
    });
    api = new HttpClient(gw.url);
  });
  afterAll(async () => gw?.close());

  describe('REST', () => {
    it.each([
      ['objects', '/v1/sandboxes', nested(DEEP)],
      ['arrays', '/v1/sandboxes', `{"env":${nestedArrays(DEEP)}}`],
      ['objects inside a field', '/v1/sandboxes', `{"labels":${nested(DEEP)}}`],
      ['objects sent to a sandbox', `/v1/sandboxes/${sandbox}/exec`, `{"command":"true","env":${nested(DEEP)}}`],
    ])('answers 400 naming the depth limit for %s 50,000 levels deep', async (_what, path, body) => {
      const res = await api.request('POST', path, body, {
        'content-type': 'application/json',
      });
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('invalid_argument');
      expect(res.body.error.message).toMatch(/nested deeper than 64 levels/);
    });

    it('still reads JSON strings that merely contain brackets', async () => {
      const res = await api.post(`/v1/sandboxes/${sandbox}/exec`, { command: `echo '${'{['.repeat(200)}'` });
      expect(res.status).toBe(404);
      expect(res.body.error.code).toBe('not_found');
    });

    it('keeps the usual field errors for shallow bad input', async () => {
      const res = await api.request('POST', '/v1/sandboxes', `{"env":${nested(3)}}`, {
        'content-type': 'application/json',
      });
      expect(res.status).toBe(400);
      expect(res.body.error.message).toBe('env.a: must be a string');
    });
  });

  describe('WebSocket /v1/ws', () => {
    it('answers an error frame (not internal) and keeps the connection', async () => {
      const client = await WsTestClient.connect(`${gw.url.replace('http', 'ws')}/v1/ws`);
      try {
        await client.next((f) => f.ready);
        client.send(`{"id":1,"op":"sandbox.create","input":{"labels":${nested(DEEP)}}}`);
        expect(await client.next((f) => f.id === 1 || f.id === null)).toEqual({
          id: 1,
          error: expect.objectContaining({
            code: 'invalid_argument',
            message: expect.stringMatching(/nested deeper than 64 levels/),
          }),
        });
        client.send(nestedArrays(DEEP));
        expect((await client.next((f) => f.id === null)).error).toMatchObject({
          code: 'invalid_argument',
          message: expect.stringMatching(/nested deeper than 64 levels/),
        });
        client.send({ id: 2, op: 'sandbox.list' });
        expect((await client.next((f) => f.id === 2)).result).toMatchObject({ sandboxes: [] });
      } finally {
        client.close();
      }
    });
  });
});
