import { posix } from 'node:path';

/** A file's content as an MCP resource gives it: UTF-8 text, or bytes (sent base64 as a `blob`). */
export type FileContent =
  { kind: 'text'; text: string; mimeType: string } | { kind: 'blob'; bytes: Buffer; mimeType: string };

// Media types by extension, for the common files of a sandbox; anything else is text/plain or application/octet-stream.
const TEXT_TYPES: Readonly<Record<string, string>> = {
  txt: 'text/plain',
  log: 'text/plain',
  md: 'text/markdown',
  html: 'text/html',
  htm: 'text/html',
  css: 'text/css',
  csv: 'text/csv',
  js: 'text/javascript',
  mjs: 'text/javascript',
  cjs: 'text/javascript',
  ts: 'text/x-typescript',
  py: 'text/x-python',
  sh: 'text/x-shellscript',
  json: 'application/json',
  xml: 'application/xml',
  yaml: 'application/yaml',
  yml: 'application/yaml',
  toml: 'application/toml',
  svg: 'image/svg+xml',
};

const BINARY_TYPES: Readonly<Record<string, string>> = {
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  webp: 'image/webp',
  ico: 'image/x-icon',
  pdf: 'application/pdf',
  zip: 'application/zip',
  gz: 'application/gzip',
  tgz: 'application/gzip',
  tar: 'application/x-tar',
  wasm: 'application/wasm',
  mp3: 'audio/mpeg',
  wav: 'audio/wav',
  mp4: 'video/mp4',
  webm: 'video/webm',
};

const utf8 = new TextDecoder('utf-8', { fatal: true });

function asText(bytes: Buffer): string | undefined {
  // NUL bytes do not occur in text files (the `read` tool calls such files binary too).
  if (bytes.includes(0)) return undefined;
  try {
    return utf8.decode(bytes);
  } catch {
    return undefined;
  }
}

/**
 * Text when the bytes are valid UTF-8 without NUL, else a blob. The media type comes from the extension when
 * it agrees with that (a `.png` that is valid UTF-8 is text/plain), else text/plain or application/octet-stream.
 */
export function fileContent(path: string, bytes: Buffer): FileContent {
  const ext = posix.extname(path).slice(1).toLowerCase();
  const text = asText(bytes);
  if (text !== undefined) return { kind: 'text', text, mimeType: TEXT_TYPES[ext] ?? 'text/plain' };
  return { kind: 'blob', bytes, mimeType: BINARY_TYPES[ext] ?? 'application/octet-stream' };
}
