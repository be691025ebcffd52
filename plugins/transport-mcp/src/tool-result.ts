import type { CallToolResult } from '@modelcontextprotocol/server';
import type { OperationMedia, SandboxedError } from '@sandboxed/plugin-sdk';

/** The `_meta` key that carries the typed error `{ code, message, details }` next to the text. */
export const ERROR_META_KEY = 'sandboxed/error';

export type ErrorBody = ReturnType<SandboxedError['toJSON']>;

/** A successful result: objects travel as `structuredContent` plus their JSON as text (as the spec advises). */
export function toolResult(value: unknown): CallToolResult {
  if (value === undefined || value === null) return { content: [{ type: 'text', text: 'Done.' }] };
  // JSON round trip: Dates become strings and undefined fields vanish, as on REST.
  const plain = JSON.parse(JSON.stringify(value)) as unknown;
  const text = JSON.stringify(plain);
  if (typeof plain === 'object' && plain !== null && !Array.isArray(plain)) {
    return { content: [{ type: 'text', text }], structuredContent: plain as Record<string, unknown> };
  }
  return { content: [{ type: 'text', text }] };
}

/** A result with media: each image as an `image` content item, then the rest of the result as JSON text. */
export function mediaResult(media: OperationMedia): CallToolResult {
  const images = media.images.map((image) => ({ type: 'image' as const, data: image.data, mimeType: image.mimeType }));
  return { content: [...images, { type: 'text', text: JSON.stringify(media.summary) }] };
}

/** A typed error as a tool result the model can read and recover from (`isError`, not a protocol error). */
export function toolError(error: ErrorBody, extraText?: string): CallToolResult {
  const content: CallToolResult['content'] = [{ type: 'text', text: `Error (${error.code}): ${error.message}` }];
  if (extraText) content.push({ type: 'text', text: extraText });
  return { content, isError: true, _meta: { [ERROR_META_KEY]: error } };
}
