import type { JsonSchema } from '@sandboxed/plugin-sdk';

/** A channel's input from its URL: query values and path parameters, typed by the input schema. */
export function inputFromUrl(url: URL, params: Record<string, string>, schema: JsonSchema): Record<string, unknown> {
  const props = (schema.properties ?? {}) as Record<string, { type?: string | string[] }>;
  const input: Record<string, unknown> = {};
  for (const [key, value] of [...url.searchParams, ...Object.entries(params)]) {
    const type = props[key]?.type;
    const types = Array.isArray(type) ? type : [type];
    if (types.includes('boolean') && (value === 'true' || value === 'false')) input[key] = value === 'true';
    else if ((types.includes('integer') || types.includes('number')) && value.trim() !== '' && !isNaN(Number(value))) {
      input[key] = Number(value);
    } else input[key] = value;
  }
  return input;
}
