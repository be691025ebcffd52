import { rmSync } from 'node:fs';
import { Client as V2Client, StreamableHTTPClientTransport as V2HttpTransport } from '@modelcontextprotocol/client';
import { getDefaultEnvironment, StdioClientTransport as V2StdioTransport } from '@modelcontextprotocol/client/stdio';
import { Client as V1Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport as V1StdioTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport as V1HttpTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { LocalRuntime } from '@sandboxed/runtime-local';

/** The stateless protocol revision; 2025-11-25 and older go by initialize and sessions. */
export const MODERN = '2026-07-28';

export type AnyClient = V1Client | V2Client;

/**
 * Which SDK client, negotiating how: `v1` (@modelcontextprotocol/sdk, 2025-era sessions), `v2`
 * (@modelcontextprotocol/client, default negotiation), `v2-pinned` (to MODERN), `v2-auto`.
 */
export type ClientKind = 'v1' | 'v2' | 'v2-pinned' | 'v2-auto';

type ClientInfo = { name: string; version: string };

function newClient(kind: ClientKind, info: ClientInfo): AnyClient {
  if (kind === 'v1') return new V1Client(info);
  if (kind === 'v2') return new V2Client(info);
  return new V2Client(info, {
    versionNegotiation: { mode: kind === 'v2-auto' ? 'auto' : { pin: MODERN } },
  });
}

/** A client of `kind` connected over streamable HTTP to `url`, sending `headers`. */
export async function connectHttpClient(
  kind: ClientKind,
  url: string,
  headers: Record<string, string>,
  info: ClientInfo,
): Promise<AnyClient> {
  const client = newClient(kind, info);
  const requestInit = { requestInit: { headers } };
  if (client instanceof V1Client) await client.connect(new V1HttpTransport(new URL(url), requestInit));
  else await client.connect(new V2HttpTransport(new URL(url), requestInit));
  return client;
}

/** The real stdio entry point, run from source, with `plugins` (a YAML list) and extra arguments. */
export function stdioParams(plugins: string, extraArgs: string[] = []) {
  return {
    command: process.execPath,
    args: [
      '--import',
      './test/support/ts-source.hooks.mjs',
      'apps/gateway/src/mcp.main.ts',
      `--plugins=${plugins}`,
      ...extraArgs,
      '--log.level=warn',
    ],
    cwd: process.cwd(),
    env: getDefaultEnvironment(),
    stderr: 'pipe' as const,
  };
}

/**
 * The v2 SDK probes an era on a sibling process when given exactly its `StdioClientTransport`; a
 * subclass probes in place, so each client spawns one gateway.
 */
class InPlaceStdioTransport extends V2StdioTransport {}

/** A client of `kind` connected over stdio to a gateway started with `params`. */
export async function connectStdioClient(
  kind: ClientKind,
  params: ReturnType<typeof stdioParams>,
  info: ClientInfo,
): Promise<AnyClient> {
  const client = newClient(kind, info);
  if (client instanceof V1Client) await client.connect(new V1StdioTransport(params));
  else await client.connect(kind === 'v2' ? new V2StdioTransport(params) : new InPlaceStdioTransport(params));
  return client;
}

/** Ends a client's session (where it has one) and closes it. */
export async function closeClient(client: AnyClient | undefined): Promise<void> {
  const transport = client?.transport as { terminateSession?: () => Promise<void> } | undefined;
  await transport?.terminateSession?.().catch(() => undefined);
  await client?.close();
}

/** Deletes what a stdio gateway left in its local-runtime `dataDir`, then the folder. */
export async function removeStdioDataDir(dataDir: string): Promise<void> {
  const runtime = new LocalRuntime({ dataDir, isolation: 'bwrap', network: 'none' });
  for (const sb of await runtime.list()) await runtime.destroy(sb.id);
  await runtime.close();
  rmSync(dataDir, { recursive: true, force: true });
}
