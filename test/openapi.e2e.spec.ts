import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import SwaggerParser from '@apidevtools/swagger-parser';
import { HttpClient, startTestGateway, type TestGateway } from '@sandboxed/testing';

type Operation = {
  operationId: string;
  summary?: string;
  description?: string;
  responses: Record<string, unknown>;
  security?: unknown[];
  requestBody?: unknown;
};

const EXPECTED: Array<[string, string, string]> = [
  ['sandbox.create', 'post', '/v1/sandboxes'],
  ['sandbox.list', 'get', '/v1/sandboxes'],
  ['sandbox.get', 'get', '/v1/sandboxes/{id}'],
  ['sandbox.delete', 'delete', '/v1/sandboxes/{id}'],
  ['shell.exec', 'post', '/v1/sandboxes/{id}/exec'],
  ['shell.execStream', 'post', '/v1/sandboxes/{id}/exec/stream'],
  ['files.read', 'post', '/v1/sandboxes/{id}/files/read'],
  ['files.write', 'post', '/v1/sandboxes/{id}/files/write'],
  ['files.list', 'post', '/v1/sandboxes/{id}/files/list'],
  ['files.stat', 'post', '/v1/sandboxes/{id}/files/stat'],
  ['files.mkdir', 'post', '/v1/sandboxes/{id}/files/mkdir'],
  ['files.delete', 'post', '/v1/sandboxes/{id}/files/delete'],
  ['files.move', 'post', '/v1/sandboxes/{id}/files/move'],
  ['files.copy', 'post', '/v1/sandboxes/{id}/files/copy'],
  ['files.glob', 'post', '/v1/sandboxes/{id}/files/glob'],
  ['files.grep', 'post', '/v1/sandboxes/{id}/files/grep'],
  ['files.edit', 'post', '/v1/sandboxes/{id}/files/edit'],
  ['files.upload', 'put', '/v1/sandboxes/{id}/files/content'],
  ['files.download', 'get', '/v1/sandboxes/{id}/files/content'],
];

describe('OpenAPI document and Swagger UI', () => {
  let gw: TestGateway;
  let api: HttpClient;
  let spec: {
    openapi: string;
    paths: Record<string, Record<string, Operation>>;
    components: { securitySchemes: object };
  };
  beforeAll(async () => {
    gw = await startTestGateway();
    api = new HttpClient(gw.url);
    spec = (await api.get('/openapi.json')).body;
  });
  afterAll(async () => gw?.close());

  it('is a valid OpenAPI 3 document', async () => {
    expect(spec.openapi).toMatch(/^3\./);
    await expect(SwaggerParser.validate(structuredClone(spec) as never)).resolves.toBeTruthy();
  });

  it('lists every operation at its route', () => {
    for (const [id, method, path] of EXPECTED) {
      expect({ id, op: spec.paths[path]?.[method]?.operationId }).toEqual({ id, op: id });
    }
    expect(spec.paths['/health'].get.operationId).toBe('health');
  });

  it('documents summary, schemas, errors and security on every route', () => {
    for (const [path, methods] of Object.entries(spec.paths)) {
      for (const [method, op] of Object.entries(methods)) {
        const where = `${method.toUpperCase()} ${path}`;
        expect({ where, summary: Boolean(op.summary), description: Boolean(op.description) }).toEqual({
          where,
          summary: true,
          description: true,
        });
        const statuses = Object.keys(op.responses);
        expect({ where, success: statuses.some((s) => s.startsWith('2')) }).toEqual({ where, success: true });
        if (path === '/health') continue;
        expect({ where, errors: ['400', '401', '404', '500'].every((s) => statuses.includes(s)) }).toEqual({
          where,
          errors: true,
        });
        expect({ where, security: (op.security ?? []).length > 0 }).toEqual({ where, security: true });
        if (method === 'post' || method === 'put')
          expect({ where, body: Boolean(op.requestBody) }).toEqual({ where, body: true });
      }
    }
    expect(Object.keys(spec.components.securitySchemes)).toEqual(expect.arrayContaining(['bearer', 'apiKey']));
  });

  it('describes input fields from the DTOs', () => {
    const schemas = (
      spec.components as unknown as {
        schemas: Record<string, { properties: Record<string, { description?: string }> }>;
      }
    ).schemas;
    expect(schemas.ExecInput.properties.command.description).toMatch(/sh -c/);
    expect(schemas.CreateSandboxInput.properties.ttlSeconds.description).toBeTruthy();
  });

  it('serves Swagger UI and its assets at /docs', async () => {
    const page = await fetch(`${gw.url}/docs`);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('swagger-ui-bundle.js');
    const bundle = await fetch(`${gw.url}/docs/assets/swagger-ui-bundle.js`);
    expect(bundle.status).toBe(200);
    expect((await bundle.text()).length).toBeGreaterThan(100_000);
    expect((await fetch(`${gw.url}/docs/init.js`)).status).toBe(200);
  });
});
