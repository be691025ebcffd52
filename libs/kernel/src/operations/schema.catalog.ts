import { Injectable } from '@nestjs/common';
import { defaultMetadataStorage } from 'class-transformer/cjs/storage.js';
import { IS_ISO8601 } from 'class-validator';
import { targetConstructorToSchema } from 'class-validator-jsonschema';
import type { JsonSchema, SchemaCatalog } from '@sandboxed/plugin-sdk';
import { withJsonSchemaExamples } from './schema-examples.normalizer.js';

const REF_PREFIX = '#/$defs/';

/**
 * Where the library's default misleads clients. `@IsISO8601()` becomes `oneOf` date | date-time,
 * which fails every value under validators that do not check formats (both branches match): the
 * timestamps we send and take are date-times.
 */
const CONVERTERS = { [IS_ISO8601]: { type: 'string' as const, format: 'date-time' } };

/**
 * JSON Schema (2020-12) from class-validator DTOs: the single source for input validation, OpenAPI
 * and MCP tool schemas. Nested DTOs (via `@Type`) are inlined so each schema stands alone; examples
 * are `examples` arrays, so strict validators accept every schema.
 */
@Injectable()
export class DtoSchemaCatalog implements SchemaCatalog {
  private readonly cache = new Map<Function, JsonSchema>();
  private readonly byName = new Map<string, Function>();

  schemaFor(dto: abstract new (...args: never[]) => unknown): JsonSchema {
    const hit = this.cache.get(dto);
    if (hit) return hit;
    const schema = withJsonSchemaExamples(this.inline(this.raw(dto), new Set([dto.name])));
    this.cache.set(dto, schema);
    return schema;
  }

  private raw(dto: Function): JsonSchema {
    this.byName.set(dto.name, dto);
    const schema = targetConstructorToSchema(dto, {
      classTransformerMetadataStorage: defaultMetadataStorage,
      refPointerPrefix: REF_PREFIX,
      additionalConverters: CONVERTERS,
    }) as JsonSchema;
    for (const cls of this.nestedTypes(dto)) this.byName.set(cls.name, cls);
    return { type: 'object', additionalProperties: false, ...schema };
  }

  private nestedTypes(dto: Function): Function[] {
    // class-transformer keeps @Type targets per class; walk the class and its parents.
    const storage = defaultMetadataStorage as unknown as {
      _typeMetadatas: Map<Function, Map<string, { typeFunction: () => Function }>>;
    };
    const out: Function[] = [];
    for (let cls: Function = dto; cls && cls !== Function.prototype; cls = Object.getPrototypeOf(cls) as Function) {
      for (const meta of storage._typeMetadatas.get(cls)?.values() ?? []) out.push(meta.typeFunction());
    }
    return out;
  }

  private inline(node: unknown, seen: Set<string>): JsonSchema {
    if (Array.isArray(node)) return node.map((n) => this.inline(n, seen)) as unknown as JsonSchema;
    if (!node || typeof node !== 'object') return node as JsonSchema;
    const obj = node as JsonSchema;
    if (typeof obj.$ref === 'string' && obj.$ref.startsWith(REF_PREFIX)) {
      const name = obj.$ref.slice(REF_PREFIX.length);
      const cls = this.byName.get(name);
      const { $ref: _ref, ...rest } = obj;
      // An unknown class (e.g. `Object` from a custom decorator) or a cycle: keep what the field says about itself.
      if (!cls || seen.has(name)) return this.inline(Object.keys(rest).length ? rest : { type: 'object' }, seen);
      return { ...this.inline(this.raw(cls), new Set([...seen, name])), ...rest };
    }
    return Object.fromEntries(Object.entries(obj).map(([k, v]) => [k, this.inline(v, seen)]));
  }
}
