// MCP over stdio: stdout carries JSON-RPC and nothing else, so every other write to stdout
// (Nest's logger, a stray console.log in a plugin) is sent to stderr.
import 'reflect-metadata';
import { Writable } from 'node:stream';
import { createGateway, loadConfig } from '@sandboxed/kernel';
import { McpStdioServer } from '@sandboxed/transport-mcp';
import { GATEWAY_VERSION } from './version.js';

function takeStdoutForJsonRpc(): Writable {
  const write = process.stdout.write.bind(process.stdout) as (
    chunk: unknown,
    cb: (err?: Error | null) => void,
  ) => boolean;
  process.stdout.write = process.stderr.write.bind(process.stderr) as typeof process.stdout.write;
  return new Writable({ write: (chunk, _encoding, done) => void write(chunk, done) });
}

/** `--mcp-profile <name>` picks the tool profile; every other flag is a config flag. */
function splitArgs(argv: string[]): { profile?: string; configArgs: string[] } {
  const configArgs: string[] = [];
  let profile: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--mcp-profile') profile = argv[++i];
    else if (arg.startsWith('--mcp-profile=')) profile = arg.slice('--mcp-profile='.length);
    else configArgs.push(arg);
  }
  return { profile, configArgs };
}

/** MCP over stdio on a gateway that does not listen on HTTP. */
export async function runMcpStdio(argv: string[]): Promise<void> {
  const rpcOut = takeStdoutForJsonRpc();
  const { profile, configArgs } = splitArgs(argv);
  const config = loadConfig({ argv: configArgs });
  if (!config.plugins.some((p) => p.use === 'transport-mcp')) config.plugins.push({ use: 'transport-mcp' });
  const gateway = await createGateway({ config, version: GATEWAY_VERSION, listen: false });
  const stdio = await gateway.app.get(McpStdioServer).serve({ profile, output: rpcOut });
  await stdio.closed;
  await gateway.close();
}
