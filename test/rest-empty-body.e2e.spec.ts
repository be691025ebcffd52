import { request } from 'node:http';
import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { HttpClient, startTestGateway, type TestGateway } from '@sandboxed/testing';

interface Answer {
  status: number;
  body: any;
}

/** One request with exactly these headers and body bytes (fetch would add or drop some). */
function send(
  base: string,
  method: string,
  path: string,
  headers: Record<string, string>,
  body?: string,
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(`${base}${path}`, { method, headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode!, body: text ? JSON.parse(text) : undefined }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const JSON_TYPE = { 'content-type': 'application/json' };
const EMPTY_BODIES: Array<[what: string, headers: Record<string, string>, body?: string]> = [
  ['content-length: 0', { ...JSON_TYPE, 'content-length': '0' }, ''],
  ['no content-length, chunked and empty', { ...JSON_TYPE, 'transfer-encoding': 'chunked' }, ''],
  ['only whitespace', { ...JSON_TYPE, 'content-length': '2' }, ' \n'],
];

// Many clients send `content-type: application/json` with no body on DELETE and bodiless POSTs.
describe('REST: an empty JSON body is an empty object', () => {
  let gw: TestGateway;
  let api: HttpClient;
  beforeAll(async () => {
    gw = await startTestGateway({
      onlyPlugins: ['runtime-local', 'capability-shell', 'transport-rest'],
      extraPlugins: ['capability-processes'],
    });
    api = new HttpClient(gw.url);
  });
  afterAll(async () => gw?.close());

  it.each(EMPTY_BODIES)('creates a sandbox from a bodiless POST (%s)', async (_what, headers, body) => {
    const created = await send(gw.url, 'POST', '/v1/sandboxes', headers, body);
    expect(created).toMatchObject({ status: 201, body: { template: 'base', status: 'running' } });
    const deleted = await send(gw.url, 'DELETE', `/v1/sandboxes/${created.body.id}`, headers, body);
    expect(deleted.status).toBe(204);
    expect((await api.get(`/v1/sandboxes/${created.body.id}`)).status).toBe(404);
  });

  it('kills a process from a bodiless POST', async () => {
    const id = await api.createSandbox();
    const started = await api.post(`/v1/sandboxes/${id}/processes`, { argv: ['sleep', '300'] });
    expect(started.status).toBe(201);
    const killed = await send(gw.url, 'POST', `/v1/sandboxes/${id}/processes/${started.body.id}/kill`, {
      ...JSON_TYPE,
      'content-length': '0',
    });
    expect(killed).toMatchObject({ status: 200, body: { id: started.body.id, status: 'killed' } });
    expect((await api.delete(`/v1/sandboxes/${id}`)).status).toBe(204);
  });

  it('still refuses a body that is not JSON, or not an object', async () => {
    const broken = await send(gw.url, 'POST', '/v1/sandboxes', { ...JSON_TYPE, 'content-length': '1' }, '{');
    expect(broken).toMatchObject({ status: 400, body: { error: { code: 'invalid_argument' } } });
    const list = await send(gw.url, 'POST', '/v1/sandboxes', { ...JSON_TYPE, 'content-length': '2' }, '[]');
    expect(list).toMatchObject({ status: 400, body: { error: { message: 'Body must be a JSON object' } } });
    const nul = await send(gw.url, 'POST', '/v1/sandboxes', { ...JSON_TYPE, 'content-length': '4' }, 'null');
    expect(nul.status).toBe(400);
  });
});
