import {
  requiredScopeOf,
  type Authenticator,
  type Class,
  type JsonSchema,
  type OperationDefinition,
  type SchemaCatalog,
} from '@sandboxed/plugin-sdk';
import type { DocumentedRoute } from './documented-routes.collector.js';
import { HEALTH_PATH } from './health.openapi.js';
import { ERROR_SCHEMA, errorResponses } from './openapi.errors.js';
import type { RestRoute } from './route.table.js';

type Doc = Record<string, unknown>;

const EVENT_DOC =
  'Server-Sent Events. `output` events carry `{stream, data}` as output arrives; the stream ends with one ' +
  '`exit` `{exitCode, timedOut}` or one `error` `{error: {code, message}}`. Closing the connection cancels the operation.';

const SECURITY_SCHEMES = {
  bearer: {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'JWT',
    description: 'A JWT (HS256/RS256/ES256) or an API key',
  },
  apiKey: { type: 'apiKey', in: 'header', name: 'X-API-Key', description: 'A static API key from auth.apiKeys' },
};

/** Listed first in the docs: everything else happens inside a sandbox. */
const FIRST_TAG = 'sandbox';

export interface OpenApiInput {
  routes: RestRoute[];
  /** Hand-mounted routes that carry a RouteDoc (e.g. `POST /v1/ws/ticket`). */
  documented?: DocumentedRoute[];
  catalog: SchemaCatalog;
  auth: Authenticator;
  version: string;
}

/** A DTO's schema without the fields that come from the path: a body never repeats a path parameter. */
function withoutFields(schema: JsonSchema, fields: string[]): JsonSchema {
  const properties = { ...((schema.properties ?? {}) as Record<string, JsonSchema>) };
  for (const f of fields) delete properties[f];
  const required = ((schema.required as string[] | undefined) ?? []).filter((r) => !fields.includes(r));
  const { required: _required, ...rest } = schema;
  return { ...rest, properties, ...(required.length > 0 ? { required } : {}) };
}

/** Builds the OpenAPI 3.1 document from the operation registry: one source for routes and docs. */
export function buildOpenApi({ routes, documented = [], catalog, auth, version }: OpenApiInput): Doc {
  const schemas: Record<string, JsonSchema> = { ErrorResponse: ERROR_SCHEMA };
  const names = new Map<string, string>();
  const byClass = new Map<Function, number>();
  /** A component for `dto` (less the `omit` fields), named after the class. */
  const ref = (dto: Class, omit: string[] = []): { $ref: string } => {
    const full = catalog.schemaFor(dto as never);
    const dropped = omit.filter((f) => f in ((full.properties ?? {}) as object));
    if (!byClass.has(dto)) byClass.set(dto, byClass.size);
    const key = `${byClass.get(dto)}:${dropped.join(',')}`;
    let name = names.get(key);
    if (!name) {
      name = dto.name;
      for (let i = 2; schemas[name]; i++) name = `${dto.name}${i}`;
      names.set(key, name);
      schemas[name] = dropped.length > 0 ? withoutFields(full, dropped) : full;
    }
    return { $ref: `#/components/schemas/${name}` };
  };
  const security = auth.schemes.map((s) => ({ [s]: [] }));
  const paths: Record<string, Record<string, unknown>> = {};
  /** Tag → the summaries of what it lists, its description in the docs. */
  const tags = new Map<string, string[]>([['health', ['Health check']]]);
  const tag = (name: string, summary: string): string => {
    tags.set(name, [...(tags.get(name) ?? []), summary]);
    return name;
  };

  for (const route of routes) {
    const op: OperationDefinition = route.op;
    const area = tag(op.id.split('.')[0]!, op.summary);
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
    Object.assign(responses, errorResponses());
    const operation: Doc = {
      operationId: op.id,
      summary: op.summary,
      description: [op.description ?? op.summary, `Requires scope \`${requiredScopeOf(op)}\`.`].join('\n\n'),
      tags: [area],
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
      // Path parameters come from the path only; a body with nothing required may be left out.
      const body = ref(op.input, route.inputParams);
      const bodyRequired = ((inputSchema.required as string[] | undefined) ?? []).some(
        (r) => !route.inputParams.includes(r),
      );
      operation.requestBody = { required: bodyRequired, content: { 'application/json': { schema: body } } };
    }
    const hints = op.hints ?? {};
    operation['x-sandboxed-hints'] = hints;
    (paths[route.path] ??= {})[route.method.toLowerCase()] = operation;
  }

  for (const route of documented) {
    const { doc } = route;
    tag(doc.tag, doc.summary);
    const operation: Doc = {
      operationId: doc.operationId,
      summary: doc.summary,
      description: doc.description ?? doc.summary,
      tags: [doc.tag],
      responses: {
        [String(doc.status)]: doc.output
          ? { description: doc.summary, content: { 'application/json': { schema: ref(doc.output) } } }
          : { description: `${doc.summary}: done` },
        ...errorResponses(),
      },
      security: route.access === 'public' ? [] : security,
    };
    if (doc.input) {
      operation.requestBody = {
        required: doc.inputRequired ?? false,
        content: { 'application/json': { schema: ref(doc.input) } },
      };
    }
    (paths[route.path] ??= {})[route.method.toLowerCase()] = operation;
  }

  paths['/health'] = HEALTH_PATH;

  return {
    openapi: '3.1.0',
    info: {
      title: 'sandboxed',
      version,
      license: { name: 'Apache-2.0', identifier: 'Apache-2.0' },
      description:
        'Safe places to run code. Create a sandbox, then run commands and work with files in it. ' +
        'Every error has the shape `{ "error": { "code", "message", "details" } }`.' +
        (auth.devMode
          ? '\n\n**Dev mode:** no authentication is configured; every request acts as principal `local`.'
          : ''),
    },
    // Relative: the origin the document was fetched from, wherever the gateway is reached.
    servers: [{ url: '/', description: 'This gateway' }],
    tags: [...tags.keys()]
      .sort((a, b) => Number(b === FIRST_TAG) - Number(a === FIRST_TAG) || a.localeCompare(b))
      .map((name) => ({ name, description: `${tags.get(name)!.join('; ')}.` })),
    paths,
    components: {
      schemas,
      securitySchemes: SECURITY_SCHEMES,
    },
    security,
  };
}
