import type { JsonSchema } from '@sandboxed/plugin-sdk';

/** Keywords whose values map names to schemas: their keys are names, never keywords. */
const NAME_MAPS = new Set(['properties', 'patternProperties', '$defs', 'definitions', 'dependentSchemas']);
/** Keywords whose values are data, copied as they are. */
const DATA = new Set(['default', 'const', 'enum', 'examples']);

/**
 * `example` (what `@JSONSchema({ example })` writes) is OpenAPI 3.0's keyword, not JSON Schema's:
 * strict validators (ajv strict mode, several MCP hosts) refuse it as unknown. JSON Schema's own is
 * the `examples` array, which OpenAPI 3.1 and MCP accept. Returns the schema with every `example`
 * turned into `examples: [example]`.
 */
export function withJsonSchemaExamples(node: unknown): JsonSchema {
  if (Array.isArray(node)) return node.map(withJsonSchemaExamples) as unknown as JsonSchema;
  if (!node || typeof node !== 'object') return node as JsonSchema;
  const out: JsonSchema = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === 'example') continue;
    out[key] = DATA.has(key) ? value : NAME_MAPS.has(key) ? eachNamed(value) : withJsonSchemaExamples(value);
  }
  if ('example' in node && !('examples' in node)) out.examples = [(node as { example: unknown }).example];
  return out;
}

function eachNamed(map: unknown): unknown {
  if (!map || typeof map !== 'object' || Array.isArray(map)) return map;
  return Object.fromEntries(Object.entries(map).map(([name, schema]) => [name, withJsonSchemaExamples(schema)]));
}
