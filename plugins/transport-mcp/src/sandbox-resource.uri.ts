/** The resource template of a file in a sandbox (RFC 6570: `{+path}` is reserved expansion, so `/` stays as is). */
export const SANDBOX_FILE_TEMPLATE = 'sandbox://{sandbox_id}/files/{+path}';

/** What a `sandbox://` file URI names: a sandbox, and an absolute path inside it. */
export interface SandboxFileAddress {
  sandboxId: string;
  /** Absolute inside the sandbox: `sandbox://<id>/files/workspace/a.txt` is `/workspace/a.txt`. */
  path: string;
}

/** Why a URI is not a sandbox file URI; the message says the expected form. */
export class MalformedResourceUri extends Error {
  constructor(
    readonly uri: string,
    reason: string,
  ) {
    super(
      `Invalid resource URI '${uri.slice(0, 300)}': ${reason}; expected ${SANDBOX_FILE_TEMPLATE}, e.g. ` +
        'sandbox://<sandbox-id>/files/workspace/notes.txt for /workspace/notes.txt',
    );
  }
}

const FILE_URI = /^sandbox:\/\/([^/?#]*)\/files\/(.*)$/;

function decoded(uri: string, part: string, what: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    throw new MalformedResourceUri(uri, `its ${what} has a malformed percent-encoding`);
  }
}

/**
 * The sandbox and path a URI names. Everything after `/files/` is the path, percent-decoded (a `?` or `#`
 * there is part of the name, as `{+path}` expands them; percent-encode them to be safe). `..` is left to
 * files.read, which resolves it inside the sandbox like any path.
 */
export function parseSandboxFileUri(uri: string): SandboxFileAddress {
  const match = FILE_URI.exec(uri);
  if (!match) {
    const reason = uri.startsWith('sandbox:') ? 'not a file of a sandbox' : 'not a sandbox:// URI';
    throw new MalformedResourceUri(uri, reason);
  }
  const sandboxId = decoded(uri, match[1]!, 'sandbox id');
  if (!sandboxId) throw new MalformedResourceUri(uri, 'it names no sandbox');
  const path = decoded(uri, match[2]!, 'path');
  if (!path.replace(/\/+/g, '')) throw new MalformedResourceUri(uri, 'it names no file');
  return { sandboxId, path: path.startsWith('/') ? path : `/${path}` };
}

/** The URI template as an endpoint lists it: bound to one sandbox, the id is filled in. */
export function fileTemplateFor(sandboxId?: string): string {
  return sandboxId === undefined
    ? SANDBOX_FILE_TEMPLATE
    : SANDBOX_FILE_TEMPLATE.replace('{sandbox_id}', encodeURIComponent(sandboxId));
}
