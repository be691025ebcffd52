import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import SwaggerParser from '@apidevtools/swagger-parser';
import { createConfig, lintFromString } from '@redocly/openapi-core';
import { Validator } from '@seriousme/openapi-schema-validator';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { startTestGateway, type TestGateway } from '@sandboxed/testing';

type Schema = Record<string, any>;
type Operation = {
  operationId: string;
  parameters?: Array<{ name: string; in: string }>;
  requestBody?: { content: Record<string, { schema: Schema }> };
  responses: Record<string, { content?: Record<string, { schema: Schema }> }>;
  security?: unknown[];
  tags?: string[];
};
type Spec = {
  openapi: string;
  servers?: Array<{ url: string }>;
  tags: Array<{ name: string }>;
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, Schema> };
};

const HTTP_METHODS = new Set(['get', 'put', 'post', 'delete', 'patch', 'head', 'options']);

function operations(spec: Spec): Array<[string, string, Operation]> {
  return Object.entries(spec.paths).flatMap(([path, item]) =>
    Object.entries(item)
      .filter(([method]) => HTTP_METHODS.has(method))
      .map(([method, op]) => [path, method, op] as [string, string, Operation]),
  );
}

function deref(spec: Spec, schema: Schema): Schema {
  const ref = schema.$ref as string | undefined;
  return ref ? (spec.components.schemas[ref.split('/').pop()!] ?? {}) : schema;
}

/** Every place a keyword appears in a schema tree, as JSON pointers. */
function keywordsIn(node: unknown, keyword: string, at = ''): string[] {
  if (!node || typeof node !== 'object') return [];
  const out: string[] = [];
  for (const [k, v] of Object.entries(node)) {
    // `properties` maps field names to schemas: a field may be called anything, e.g. `example`.
    if (k === keyword && !at.endsWith('/properties')) out.push(`${at}/${k}`);
    out.push(...keywordsIn(v, keyword, `${at}/${k}`));
  }
  return out;
}

describe('OpenAPI document under outside validators', () => {
  let gw: TestGateway;
  let spec: Spec;
  beforeAll(async () => {
    gw = await startTestGateway();
    spec = (await (await fetch(`${gw.url}/openapi.json`)).json()) as Spec;
  });
  afterAll(async () => gw?.close());

  it('passes @apidevtools/swagger-parser', async () => {
    await expect(SwaggerParser.validate(structuredClone(spec) as never)).resolves.toBeTruthy();
  });

  it('passes @seriousme/openapi-schema-validator (the OpenAPI 3.1 meta-schemas) with no errors', async () => {
    const validator = new Validator();
    const result = await validator.validate(structuredClone(spec) as never);
    expect(result.errors ?? []).toEqual([]);
    expect({ valid: result.valid, version: validator.version }).toEqual({ valid: true, version: '3.1' });
  });

  it("passes Redocly's recommended ruleset with no errors", async () => {
    const config = await createConfig({ extends: ['recommended'] });
    const problems = await lintFromString({ source: JSON.stringify(spec), absoluteRef: 'openapi.json', config });
    const errors = problems
      .filter((p) => p.severity === 'error')
      .map((p) => `${p.ruleId}: ${p.message} at ${p.location.map((l) => l.pointer).join(', ')}`);
    expect(errors).toEqual([]);
  });

  it('has component schemas that compile under strict JSON Schema 2020-12 (ajv strict mode)', () => {
    const ajv = new Ajv2020({ strict: true, allowUnionTypes: true, validateFormats: false });
    const problems: string[] = [];
    for (const [name, schema] of Object.entries(spec.components.schemas)) {
      try {
        ajv.compile(schema);
      } catch (err) {
        problems.push(`${name}: ${(err as Error).message}`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('has a server entry, so clients and Swagger UI know where to send requests', () => {
    expect(spec.servers?.length).toBeGreaterThan(0);
    for (const server of spec.servers ?? []) expect(typeof server.url).toBe('string');
  });

  it('never asks for a path parameter in the request body', () => {
    const leaks: string[] = [];
    for (const [path, method, op] of operations(spec)) {
      const pathParams = (op.parameters ?? []).filter((p) => p.in === 'path').map((p) => p.name);
      const json = op.requestBody?.content['application/json']?.schema;
      if (!json) continue;
      const body = deref(spec, json);
      for (const name of pathParams) {
        if (name in (body.properties ?? {}) || (body.required ?? []).includes(name))
          leaks.push(`${method.toUpperCase()} ${path}: ${name}`);
      }
    }
    expect(leaks).toEqual([]);
    const kill = spec.paths['/v1/sandboxes/{id}/processes/{processId}/kill'].post;
    expect(deref(spec, kill.requestBody!.content['application/json'].schema).properties).toHaveProperty('signal');
  });

  it('gives file times one type: a date-time string', () => {
    const { schemas } = spec.components;
    const times = {
      'files.list entries': schemas.ListFilesOutput.properties.entries.items.properties.mtime,
      'files.stat': schemas.StatFileOutput.properties.mtime,
    };
    for (const [where, mtime] of Object.entries(times)) {
      expect({ where, mtime }).toEqual({
        where,
        mtime: expect.objectContaining({ type: 'string', format: 'date-time' }),
      });
    }
    // Nor any other `oneOf` whose branches a validator that skips formats cannot tell apart.
    const overlapping = keywordsIn(spec.components.schemas, 'oneOf').filter((pointer) => {
      const branches = pointer
        .split('/')
        .slice(1)
        .reduce<any>((node, key) => node[key], spec.components.schemas) as Schema[];
      const types = branches.map((b) => JSON.stringify(b.type));
      return new Set(types).size !== types.length;
    });
    expect(overlapping).toEqual([]);
  });

  it('uses `examples` arrays, never the `example` keyword, in its schemas', () => {
    expect(keywordsIn(spec.components.schemas, 'example')).toEqual([]);
    expect(keywordsIn(spec.paths, 'example')).toEqual([]);
    expect(spec.components.schemas.CreateSandboxInput.properties.template.examples).toEqual(['base']);
  });

  it('documents POST /v1/ws/ticket with its response schema and security', () => {
    const ticket = spec.paths['/v1/ws/ticket']?.post;
    expect(ticket).toBeDefined();
    expect(ticket.security?.length).toBeGreaterThan(0);
    expect(ticket.responses['401']).toBeDefined();
    const schema = deref(spec, ticket.responses['201'].content!['application/json'].schema);
    expect(schema).toMatchObject({
      type: 'object',
      required: expect.arrayContaining(['ticket', 'expiresAt']),
      properties: {
        ticket: expect.objectContaining({ type: 'string' }),
        expiresAt: expect.objectContaining({ type: 'string', format: 'date-time' }),
      },
    });
  });

  it('lists the sandbox tag first, each tag used by some operation', () => {
    expect(spec.tags[0].name).toBe('sandbox');
    const used = new Set(operations(spec).flatMap(([, , op]) => op.tags ?? []));
    expect(spec.tags.map((t) => t.name).sort()).toEqual([...used].sort());
  });

  it('serves Swagger UI at /docs/ as well as /docs', async () => {
    for (const path of ['/docs', '/docs/']) {
      const page = await fetch(`${gw.url}${path}`);
      expect({ path, status: page.status }).toEqual({ path, status: 200 });
      expect(await page.text()).toContain('swagger-ui-bundle.js');
    }
  });
});
