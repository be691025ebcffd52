import type { JsonSchema } from '@sandboxed/plugin-sdk';

/**
 * Input properties that MCP tools name in snake_case: the ids that address something, as `sandbox_id` does,
 * and the timeout of process_wait, so a handle's `process_wait {process_id, cursor, timeout_ms}` reads the
 * same on every profile. Keys are the operation's input properties; values, the tool's argument names.
 */
const EVERY_OPERATION: Readonly<Record<string, string>> = { processId: 'process_id' };
const PER_OPERATION: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  'process.wait': { timeoutMs: 'timeout_ms' },
};

export type ArgumentNames = Readonly<Record<string, string>>;

/** The renames that apply to an operation whose input has these properties. */
export function argumentNamesFor(opId: string, properties: readonly string[]): ArgumentNames {
  const all = { ...EVERY_OPERATION, ...PER_OPERATION[opId] };
  return Object.fromEntries(Object.entries(all).filter(([property]) => properties.includes(property)));
}

/** The input schema with the tool's argument names. */
export function renameSchemaArguments(schema: JsonSchema, names: ArgumentNames): JsonSchema {
  if (Object.keys(names).length === 0) return schema;
  const properties = Object.fromEntries(
    Object.entries((schema.properties ?? {}) as Record<string, unknown>).map(([key, value]) => [
      names[key] ?? key,
      value,
    ]),
  );
  const required = (schema.required as string[] | undefined)?.map((key) => names[key] ?? key);
  return { ...schema, properties, ...(required ? { required } : {}) };
}

/** A call's arguments under the operation's own property names. */
export function operationInput(args: Record<string, unknown>, names: ArgumentNames): Record<string, unknown> {
  const back = Object.fromEntries(Object.entries(names).map(([property, argument]) => [argument, property]));
  return Object.fromEntries(Object.entries(args).map(([key, value]) => [back[key] ?? key, value]));
}
