import type { JsonSchema } from '@sandboxed/plugin-sdk';

/** Query strings carry only text: turn `"true"`/`"42"` into the types the input schema declares. */
export function coerceQuery(query: Record<string, unknown>, schema: JsonSchema): Record<string, unknown> {
  const props = (schema.properties ?? {}) as Record<string, { type?: string | string[] }>;
  const out: Record<string, unknown> = {};
  for (const [key, raw] of Object.entries(query)) {
    const value = Array.isArray(raw) ? raw[raw.length - 1] : raw;
    const type = props[key]?.type;
    const types = Array.isArray(type) ? type : [type];
    if (typeof value !== 'string') out[key] = value;
    else if (types.includes('boolean') && (value === 'true' || value === 'false')) out[key] = value === 'true';
    else if ((types.includes('integer') || types.includes('number')) && value.trim() !== '' && !isNaN(Number(value))) {
      out[key] = Number(value);
    } else out[key] = value;
  }
  return out;
}
