import { exitOnBootFailure, GATEWAY_VERSION, runGateway, runMcpStdio } from '@sandboxed/gateway';
import { ApiClient } from './api.client.js';
import { runCommand } from './run.command.js';
import { sandboxCommand } from './sandbox.commands.js';

export const USAGE = `usage: sandboxed <command>

  serve [--key=value ...]        start the gateway (config flags like --server.port=9000)
  mcp [--mcp-profile name]       speak MCP on stdin/stdout
  sandbox create [--template t] [--label k=v]... [--ttl seconds]
  sandbox ls
  sandbox exec <id> -- <command...>
  sandbox rm <id...>
  run --language <lang> <file|->  run code in a one-shot sandbox
  version

Client commands use SANDBOXED_URL (default http://127.0.0.1:8080) and SANDBOXED_TOKEN.`;

/** Runs one CLI command and resolves to its exit code (servers resolve only when they stop). */
export async function cli(argv: string[]): Promise<number> {
  const [command, ...args] = argv;
  switch (command) {
    case 'serve':
      await runGateway(args).catch(exitOnBootFailure('sandboxed: failed to start'));
      return new Promise<number>(() => undefined);
    case 'mcp':
      await runMcpStdio(args).catch(exitOnBootFailure('sandboxed mcp: failed'));
      return 0;
    case 'sandbox':
      return sandboxCommand(ApiClient.fromEnv(), args);
    case 'run':
      return runCommand(ApiClient.fromEnv(), args);
    case 'version':
    case '--version':
      console.log(GATEWAY_VERSION);
      return 0;
    case undefined:
    case 'help':
    case '--help':
      console.log(USAGE);
      return command ? 0 : 2;
    default:
      console.error(`unknown command "${command}"\n\n${USAGE}`);
      return 2;
  }
}
