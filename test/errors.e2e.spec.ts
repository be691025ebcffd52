import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { HttpClient, startTestGateway, type TestGateway, OpenApiResponseValidator } from '@sandboxed/testing';

describe('bad input gets clear 4xx errors', () => {
  let gw: TestGateway;
  let api: HttpClient;
  let id: string;
  beforeAll(async () => {
    gw = await startTestGateway({
      onlyPlugins: ['runtime-local', 'capability-shell', 'transport-rest'],
      config: { server: { bodyLimitBytes: 4096 } },
    });
    api = new HttpClient(gw.url).validatingResponses(await OpenApiResponseValidator.forGateway(gw.url));
    id = await api.createSandbox();
  });
  afterAll(async () => gw?.close());

  it('400 for malformed JSON', async () => {
    const res = await api.request('POST', `/v1/sandboxes/${id}/exec`, '{"command": "echo', {
      'content-type': 'application/json',
    });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('invalid_argument');
    expect(res.body.error.message).toMatch(/JSON/);
  });

  it('400 for unknown fields, naming them', async () => {
    const res = await api.post(`/v1/sandboxes/${id}/exec`, { command: 'true', privileged: true });
    expect(res.status).toBe(400);
    expect(res.body.error.details.fields).toEqual([{ path: 'privileged', problems: ['unknown field'] }]);
  });

  it('400 for ill-typed fields, naming them', async () => {
    const res = await api.post('/v1/sandboxes', { ttlSeconds: 'soon', resources: { memoryMb: -1 } });
    expect(res.status).toBe(400);
    const paths = res.body.error.details.fields.map((f: { path: string }) => f.path);
    expect(paths).toEqual(expect.arrayContaining(['ttlSeconds', 'resources.memoryMb']));
  });

  it('400 for a JSON body that is not an object', async () => {
    expect((await api.post(`/v1/sandboxes/${id}/exec`, [1, 2])).status).toBe(400);
  });

  it('400 for limits beyond the configured maximums and reserved labels', async () => {
    expect((await api.post('/v1/sandboxes', { ttlSeconds: 10_000_000 })).body.error.message).toMatch(
      /ttlSeconds: at most/,
    );
    expect((await api.post('/v1/sandboxes', { resources: { cpu: 64 } })).status).toBe(400);
    expect((await api.post('/v1/sandboxes', { labels: { 'sandboxed.owner': 'root' } })).status).toBe(400);
  });

  it('413 for a body over server.bodyLimitBytes', async () => {
    const res = await api.post(`/v1/sandboxes/${id}/exec`, { command: `echo ${'x'.repeat(10_000)}` });
    expect(res.status).toBe(413);
    expect(res.body.error.code).toBe('limit_exceeded');
  });

  it('415 for a body that is not JSON', async () => {
    const res = await api.request('POST', `/v1/sandboxes/${id}/exec`, 'command=ls', { 'content-type': 'text/plain' });
    expect(res.status).toBe(415);
  });

  it('404 for unknown sandboxes and malformed ids', async () => {
    for (const bad of ['0123456789abcdef0123456789abcdef', '..%2F..%2Fetc', 'x'.repeat(90)]) {
      const res = await api.get(`/v1/sandboxes/${bad}`);
      expect(res.status).toBe(404);
      expect(res.body.error.code).toBe('not_found');
    }
  });

  it('404 with the error envelope for unknown routes', async () => {
    const res = await api.get('/v1/nope');
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('not_found');
  });

  it('keeps serving after all of that', async () => {
    expect((await api.post(`/v1/sandboxes/${id}/exec`, { command: 'echo ok' })).body.stdout).toBe('ok\n');
  });
});
