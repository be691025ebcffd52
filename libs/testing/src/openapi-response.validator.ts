import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';

// ajv-formats is CommonJS: under ESM its function is the default export's `default`.
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as unknown as (
  ajv: Ajv2020,
) => Ajv2020;

type Schema = Record<string, unknown>;
interface Response {
  content?: Record<string, { schema?: Schema }>;
}
interface Operation {
  operationId?: string;
  responses?: Record<string, Response>;
}
export interface OpenApiDocument {
  paths: Record<string, Record<string, Operation>>;
  components?: { schemas?: Record<string, Schema> };
}

interface Route {
  method: string;
  template: string;
  pattern: RegExp;
  literals: number;
  op: Operation;
}

const REF = '#/components/schemas/';

/** `#/components/schemas/X` → `X`, the key the component is registered under in ajv. */
function localRefs(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(localRefs);
  if (!node || typeof node !== 'object') return node;
  return Object.fromEntries(
    Object.entries(node).map(([k, v]) => [
      k,
      k === '$ref' && typeof v === 'string' && v.startsWith(REF) ? v.slice(REF.length) : localRefs(v),
    ]),
  );
}

/**
 * Checks REST responses against the schemas an OpenAPI document declares for them: a documented
 * operation must answer with a documented status, in a documented media type, with a JSON body
 * that validates (strict JSON Schema 2020-12) both with formats checked and without, as validators
 * that skip formats see it (where, say, a `oneOf` of date and date-time matches twice). Paths the
 * document does not list (unknown routes, `/docs`) are not checked.
 */
export class OpenApiResponseValidator {
  /** `METHOD /template status` of every response checked, for coverage assertions. */
  readonly seen = new Set<string>();
  private readonly routes: Route[] = [];
  private readonly validators = [
    addFormats(new Ajv2020({ strict: true, allowUnionTypes: true, allErrors: true })),
    new Ajv2020({ strict: true, allowUnionTypes: true, allErrors: true, validateFormats: false }),
  ];
  private readonly compiled = new Map<Schema, ValidateFunction[]>();

  constructor(readonly document: OpenApiDocument) {
    for (const ajv of this.validators) {
      for (const [name, schema] of Object.entries(document.components?.schemas ?? {}))
        ajv.addSchema(localRefs(schema) as Schema, name);
    }
    for (const [template, item] of Object.entries(document.paths)) {
      const segments = template.split('/');
      const source = segments.map((s) => (/^\{.+\}$/.test(s) ? '[^/]+' : s.replace(/[.*+?^$()|[\]\\]/g, '\\$&')));
      for (const [method, op] of Object.entries(item)) {
        this.routes.push({
          method: method.toUpperCase(),
          template,
          pattern: new RegExp(`^${source.join('/')}$`),
          literals: segments.filter((s) => !s.startsWith('{')).length,
          op,
        });
      }
    }
  }

  static async forGateway(baseUrl: string): Promise<OpenApiResponseValidator> {
    const res = await fetch(`${baseUrl}/openapi.json`);
    if (res.status !== 200) throw new Error(`GET /openapi.json: ${res.status}`);
    return new OpenApiResponseValidator((await res.json()) as OpenApiDocument);
  }

  /** What is wrong with one response; empty when it is what the document declares. */
  problems(method: string, url: string, status: number, contentType: string | null, body: unknown): string[] {
    const pathname = new URL(url, 'http://gateway').pathname;
    const route = this.routes
      .filter((r) => r.method === method.toUpperCase() && r.pattern.test(pathname))
      .sort((a, b) => b.literals - a.literals)[0];
    if (!route) return [];
    const where = `${route.method} ${route.template} → ${status}`;
    this.seen.add(`${route.method} ${route.template} ${status}`);
    const response = route.op.responses?.[String(status)] ?? route.op.responses?.default;
    if (!response) return [`${where}: status not documented`];
    const media = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
    const declared = Object.keys(response.content ?? {});
    if (declared.length === 0) {
      return body === '' || body === undefined ? [] : [`${where}: documented without a body, got ${media}`];
    }
    const match = declared.find((d) => d.toLowerCase() === media);
    if (!match) return [`${where}: content-type ${media || '(none)'}, documented: ${declared.join(', ')}`];
    const schema = response.content![match]!.schema;
    if (match !== 'application/json' || !schema) return [];
    const [withFormats, withoutFormats] = this.validatorsFor(schema);
    for (const [validate, how] of [
      [withFormats!, ''],
      [withoutFormats!, ' (formats unchecked)'],
    ] as const) {
      if (!validate(body))
        return (validate.errors ?? []).map((e) => `${where}${how}: ${e.instancePath || '(body)'} ${e.message}`);
    }
    return [];
  }

  private validatorsFor(schema: Schema): ValidateFunction[] {
    let compiled = this.compiled.get(schema);
    if (!compiled) {
      compiled = this.validators.map((ajv) => ajv.compile(localRefs(schema) as Schema));
      this.compiled.set(schema, compiled);
    }
    return compiled;
  }
}
