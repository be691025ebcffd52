import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';

export type McpHttpTransportKind = 'streamable' | 'sse';

/** The official SDK client, connected (initialized) over any transport. */
export async function connectMcp(transport: Transport, name = 'sandboxed-test'): Promise<Client> {
  const client = new Client({ name, version: '0.0.0' });
  await client.connect(transport);
  return client;
}

/** An SDK client on a gateway's `/mcp[/<profile>]` (streamable HTTP) or `/sse[/<profile>]` (legacy SSE). */
export function connectMcpHttp(
  baseUrl: string,
  kind: McpHttpTransportKind,
  opts: { headers?: Record<string, string>; profile?: string } = {},
): Promise<Client> {
  const suffix = opts.profile ? `/${opts.profile}` : '';
  const requestInit = { headers: opts.headers ?? {} };
  const transport =
    kind === 'streamable'
      ? new StreamableHTTPClientTransport(new URL(`${baseUrl}/mcp${suffix}`), { requestInit })
      : new SSEClientTransport(new URL(`${baseUrl}/sse${suffix}`), { requestInit });
  return connectMcp(transport);
}

/** Closes a client; a streamable HTTP session is ended on the server too (DELETE), not left to expire. */
export async function closeMcp(client: Client | undefined): Promise<void> {
  if (!client) return;
  const transport = client.transport;
  if (transport instanceof StreamableHTTPClientTransport) await transport.terminateSession().catch(() => undefined);
  await client.close();
}

/** The structured result of a successful tool call; throws with the tool's text when it failed. */
export function structuredOf<T = any>(result: unknown): T {
  const r = result as CallToolResult;
  if (r.isError)
    throw new Error(`Tool failed: ${r.content.map((c) => (c.type === 'text' ? c.text : c.type)).join('\n')}`);
  return r.structuredContent as T;
}

/** The text of a tool result's content. */
export function textOf(result: unknown): string {
  return (result as CallToolResult).content.map((c) => (c.type === 'text' ? c.text : '')).join('\n');
}
