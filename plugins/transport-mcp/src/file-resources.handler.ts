import { Logger } from '@nestjs/common';
import {
  fromJsonSchema,
  ProtocolError,
  ResourceNotFoundError,
  type CacheHint,
  type ReadResourceResult,
  type ResourceTemplateType,
  type Server,
  type ServerContext,
} from '@modelcontextprotocol/server';
import {
  NotFoundError,
  SandboxedError,
  toSandboxedError,
  type OperationInvoker,
  type Principal,
} from '@sandboxed/plugin-sdk';
import { fileContent } from './file-media-type.js';
import { ErrorCode } from './json-rpc.error-codes.js';
import { parseEndpointKey } from './sandbox-binding.js';
import { fileTemplateFor, MalformedResourceUri, parseSandboxFileUri } from './sandbox-resource.uri.js';
import type { ToolSet } from './tool.set.js';

/** The operation every read goes through, so its path rules, size cap and tenancy are the resource's too. */
const READ_OP = 'files.read';

const LIST_TTL_MS = 300_000;

const logger = new Logger('McpTransport');

/** The SDK answers params that fail its own schema with -32603; with these, a bad request is -32602. */
const LIST_PARAMS = fromJsonSchema<{ cursor?: string }>({
  type: 'object',
  properties: { cursor: { type: 'string' }, _meta: { type: 'object' } },
});
const READ_PARAMS = fromJsonSchema<{ uri: string }>({
  type: 'object',
  properties: { uri: { type: 'string' }, _meta: { type: 'object' } },
  required: ['uri'],
});

export interface FileResourceHooks {
  principalOf(ctx: ServerContext): Principal;
  /** Throws when the server may not answer yet (a 2025-era session before initialize). */
  requireReady(): void;
}

/**
 * Sandbox files as MCP resources: the template `sandbox://{sandbox_id}/files/{+path}`, and `resources/read`
 * of such a URI as the caller's principal through files.read. `resources/list` is empty: the files of every
 * sandbox a caller has would be an unbounded list, and the template says how to name any of them.
 */
export class FileResources {
  /** Both lists are the same for every caller of an endpoint (2026-07-28 `ttlMs`/`cacheScope`). */
  readonly cacheHints: Record<string, CacheHint> = {
    'resources/list': { ttlMs: LIST_TTL_MS, cacheScope: 'public' },
    'resources/templates/list': { ttlMs: LIST_TTL_MS, cacheScope: 'public' },
  };

  constructor(private readonly invoker: OperationInvoker) {}

  /** An endpoint serves files when one of its tools reads them: a profile without files.read serves none. */
  servesOn(tools: ToolSet): boolean {
    return tools.tools().some((tool) => tool.operations.includes(READ_OP));
  }

  /** Adds the resources handlers to a server that declares the `resources` capability. */
  register(server: Server, tools: ToolSet, hooks: FileResourceHooks): void {
    // On /mcp/<profile>/<sandbox-id> the binding is the only sandbox, as for the tools.
    const bound = parseEndpointKey(tools.profile)?.sandboxId;
    server.setRequestHandler('resources/list', { params: LIST_PARAMS }, async () => {
      hooks.requireReady();
      return { resources: [] };
    });
    server.setRequestHandler('resources/templates/list', { params: LIST_PARAMS }, async () => {
      hooks.requireReady();
      return { resourceTemplates: [template(bound)] };
    });
    server.setRequestHandler('resources/read', { params: READ_PARAMS }, async ({ uri }, ctx) => {
      hooks.requireReady();
      return this.read(uri, bound, hooks.principalOf(ctx), ctx.mcpReq.signal);
    });
  }

  private async read(
    uri: string,
    bound: string | undefined,
    principal: Principal,
    signal: AbortSignal,
  ): Promise<ReadResourceResult> {
    try {
      const { sandboxId, path } = parseSandboxFileUri(uri);
      // The same answer a sandbox that does not exist gets from the kernel.
      if (bound !== undefined && sandboxId !== bound) throw new NotFoundError(`Sandbox ${sandboxId} not found`);
      const file = (await this.invoker.invoke(
        READ_OP,
        { sandboxId, input: { path, encoding: 'base64' } },
        principal,
        signal,
      )) as {
        content: string;
      };
      const content = fileContent(path, Buffer.from(file.content, 'base64'));
      return {
        contents: [
          content.kind === 'text'
            ? { uri, mimeType: content.mimeType, text: content.text }
            : { uri, mimeType: content.mimeType, blob: content.bytes.toString('base64') },
        ],
      };
    } catch (err) {
      throw resourceError(uri, err);
    }
  }
}

function template(bound: string | undefined): ResourceTemplateType {
  return {
    uriTemplate: fileTemplateFor(bound),
    name: 'sandbox-file',
    title: 'File in a sandbox',
    description:
      'A file inside a sandbox, by absolute path: sandbox://<sandbox_id>/files/workspace/notes.txt is ' +
      '/workspace/notes.txt. Read as UTF-8 text, or as a base64 blob when it is not text; symlinks resolve inside ' +
      'the sandbox, and files over limits.files.maxReadBytes are refused.',
  };
}

/**
 * The JSON-RPC error of a failed read. Not found (a missing file, a missing or another principal's sandbox) is
 * the spec's resource-not-found: -32602 with `data: {uri}` (2026-07-28; the SDK sends -32602 on every revision).
 * A URI of another form is -32602 saying the expected one; any other refusal of files.read (a directory, a file
 * over the cap, a missing scope) -32602 with the typed error in `data.error`; a failure of the gateway -32603.
 */
function resourceError(uri: string, err: unknown): Error {
  if (err instanceof ProtocolError) return err;
  if (err instanceof MalformedResourceUri)
    return new ProtocolError(ErrorCode.InvalidParams, err.message, { uri, expected: fileTemplateFor() });
  const typed = toSandboxedError(err);
  if (typed.code === 'not_found') return new ResourceNotFoundError(uri, `Resource not found: ${uri}: ${typed.message}`);
  if (!(err instanceof SandboxedError))
    logger.error(`resources/read ${uri} failed: ${(err as Error)?.stack ?? String(err)}`);
  const cap = (typed.details as { limit?: unknown } | undefined)?.limit;
  const what =
    typed.code === 'limit_exceeded' && cap !== undefined ? ` (limits.files.maxReadBytes is ${cap} bytes)` : '';
  const code = typed.status < 500 ? ErrorCode.InvalidParams : ErrorCode.InternalError;
  return new ProtocolError(code, `Cannot read ${uri}${what}: ${typed.message}`, { uri, error: typed.toJSON() });
}
