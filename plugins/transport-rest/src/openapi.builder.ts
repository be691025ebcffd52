import {
  requiredScopeOf,
  type Authenticator,
  type Class,
  type JsonSchema,
  type OperationDefinition,
  type SchemaCatalog,
} from '@sandboxed/plugin-sdk';
import type { RestRoute } from './route.table.js';

type Doc = Record<string, unknown>;

const ERROR_STATUSES: Record<string, string> = {
  '400': 'Invalid input: the message names the field and what to fix',
  '401': 'Missing or invalid credentials',
  '403': 'The credentials lack the scope this operation needs, or the path is not allowed',
  '404': 'No such sandbox (or it belongs to someone else), or no such file',
  '409': 'The request conflicts with the current state',
  '413': 'Body or result larger than the configured limit',
  '429': 'A per-principal quota is used up',
  '500': 'Unexpected server error',
  '503': 'The sandbox engine is unavailable',
};

const ERROR_SCHEMA = {
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message'],
      properties: {
        code: {
          type: 'string',
          enum: [
            'not_found',
            'invalid_argument',
            'conflict',
            'unauthorized',
            'forbidden',
            'limit_exceeded',
            'quota_exceeded',
            'timeout',
            'unavailable',
            'internal',
          ],
        },
        message: { type: 'string', description: 'What went wrong and how to fix it' },
        details: { description: 'Structured details, e.g. the invalid fields' },
      },
    },
  },
};

const EVENT_DOC =
  'Server-Sent Events. `output` events carry `{stream, data}` as output arrives; the stream ends with one ' +
  '`exit` `{exitCode, timedOut}` or one `error` `{error: {code, message}}`. Closing the connection cancels the operation.';

export interface OpenApiInput {
  routes: RestRoute[];
  catalog: SchemaCatalog;
  auth: Authenticator;
  version: string;
}

/** Builds the OpenAPI 3.1 document from the operation registry: one source for routes and docs. */
export function buildOpenApi({ routes, catalog, auth, version }: OpenApiInput): Doc {
  const schemas: Record<string, JsonSchema> = { ErrorResponse: ERROR_SCHEMA };
  const names = new Map<Function, string>();
  const ref = (dto: Class): { $ref: string } => {
    let name = names.get(dto);
    if (!name) {
      name = dto.name;
      for (let i = 2; schemas[name]; i++) name = `${dto.name}${i}`;
      names.set(dto, name);
      schemas[name] = catalog.schemaFor(dto as never);
    }
    return { $ref: `#/components/schemas/${name}` };
  };
  const security = auth.schemes.map((s) => ({ [s]: [] }));
  const paths: Record<string, Record<string, unknown>> = {};
  const tags = new Set<string>();

  for (const route of routes) {
    const op: OperationDefinition = route.op;
    const tag = op.id.split('.')[0];
    tags.add(tag);
    const inputSchema = catalog.schemaFor(op.input as never);
    const props = (inputSchema.properties ?? {}) as Record<string, JsonSchema>;
    const required = new Set((inputSchema.required as string[] | undefined) ?? []);
    const parameters: Doc[] = [];
    if (route.sandboxScoped) {
      parameters.push({
        name: 'id',
        in: 'path',
        required: true,
        description: 'Sandbox id',
        schema: { type: 'string' },
      });
    }
    for (const p of route.inputParams) {
      parameters.push({
        name: p,
        in: 'path',
        required: true,
        description: props[p]?.description,
        schema: props[p] ?? { type: 'string' },
      });
    }
    if (route.inputFrom === 'query') {
      for (const [name, schema] of Object.entries(props)) {
        if (route.inputParams.includes(name)) continue;
        parameters.push({ name, in: 'query', required: required.has(name), description: schema.description, schema });
      }
    }
    const responses: Record<string, unknown> = {};
    const output = 'output' in op ? op.output : undefined;
    if (op.stream) {
      responses['200'] = { description: EVENT_DOC, content: { 'text/event-stream': { schema: { type: 'string' } } } };
    } else if (output === 'binary') {
      responses[String(route.status)] = {
        description: 'The raw bytes',
        content: { 'application/octet-stream': { schema: { type: 'string', format: 'binary' } } },
      };
    } else if (output) {
      responses[String(route.status)] = {
        description: op.summary,
        content: { 'application/json': { schema: ref(output) } },
      };
    } else {
      responses[String(route.status)] = { description: `${op.summary}: done` };
    }
    for (const [status, description] of Object.entries(ERROR_STATUSES)) {
      responses[status] = {
        description,
        content: { 'application/json': { schema: { $ref: '#/components/schemas/ErrorResponse' } } },
      };
    }
    const operation: Doc = {
      operationId: op.id,
      summary: op.summary,
      description: [op.description ?? op.summary, `Requires scope \`${requiredScopeOf(op)}\`.`].join('\n\n'),
      tags: [tag],
      parameters,
      responses,
      security,
    };
    if (route.octets) {
      operation.requestBody = {
        required: true,
        content: { 'application/octet-stream': { schema: { type: 'string', format: 'binary' } } },
      };
    } else if (route.inputFrom === 'body') {
      operation.requestBody = { required: true, content: { 'application/json': { schema: ref(op.input) } } };
    }
    const hints = op.hints ?? {};
    operation['x-sandboxed-hints'] = hints;
    (paths[route.path] ??= {})[route.method.toLowerCase()] = operation;
  }

  paths['/health'] = {
    get: {
      operationId: 'health',
      summary: 'Health check',
      description: 'Liveness and version; needs no credentials.',
      tags: ['health'],
      security: [],
      responses: {
        '200': {
          description: 'The gateway is up',
          content: {
            'application/json': {
              schema: {
                type: 'object',
                required: ['status', 'version', 'runtime', 'uptimeSeconds'],
                properties: {
                  status: { type: 'string', example: 'ok' },
                  version: { type: 'string' },
                  runtime: { type: 'string', example: 'local' },
                  uptimeSeconds: { type: 'integer' },
                },
              },
            },
          },
        },
      },
    },
  };

  return {
    openapi: '3.1.0',
    info: {
      title: 'sandboxed',
      version,
      description:
        'Safe places to run code. Create a sandbox, then run commands and work with files in it. ' +
        'Every error has the shape `{ "error": { "code", "message", "details" } }`.' +
        (auth.devMode
          ? '\n\n**Dev mode:** no authentication is configured; every request acts as principal `local`.'
          : ''),
    },
    tags: [...tags].sort().map((name) => ({ name })),
    paths,
    components: {
      schemas,
      securitySchemes: {
        bearer: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'JWT',
          description: 'A JWT (HS256/RS256/ES256) or an API key',
        },
        apiKey: { type: 'apiKey', in: 'header', name: 'X-API-Key', description: 'A static API key from auth.apiKeys' },
      },
    },
    security,
  };
}
