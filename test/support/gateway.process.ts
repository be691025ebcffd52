import { spawn, type ChildProcess } from 'node:child_process';
import { waitFor } from '@sandboxed/testing';

/** A gateway in a child process: the real entry point, run from its TypeScript sources. */
export interface GatewayProcess {
  url: string;
  child: ChildProcess;
  /** Everything it printed so far (NO_COLOR: plain text). */
  output(): string;
  /** Sends the signal and resolves once the process is gone, with the signal that ended it. */
  kill(signal: NodeJS.Signals): Promise<NodeJS.Signals | null>;
}

/**
 * Starts `apps/gateway/src/main.ts` (test/support/ts-source.hooks.mjs transpiles it, so no build
 * is needed) with `SANDBOXED_*` env on an ephemeral port, and resolves once it listens.
 */
export async function spawnGateway(env: Record<string, string>, timeoutMs = 60_000): Promise<GatewayProcess> {
  const child = spawn(
    process.execPath,
    ['--import', './test/support/ts-source.hooks.mjs', 'apps/gateway/src/main.ts'],
    {
      cwd: process.cwd(),
      env: { ...process.env, NO_COLOR: '1', SANDBOXED_SERVER__PORT: '0', SANDBOXED_LOG__LEVEL: 'info', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let text = '';
  child.stdout!.on('data', (chunk: Buffer) => (text += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (text += chunk.toString()));
  const exited = new Promise<NodeJS.Signals | null>((resolve) =>
    child.once('exit', (_code, signal) => resolve(signal)),
  );
  let gone = false;
  void exited.then(() => (gone = true));
  const LISTENING = /listening on (http:\/\/\S+)/;
  // The URL, or '-' once the process has exited.
  const url: string = await waitFor(() => (gone ? '-' : (LISTENING.exec(text)?.[1] ?? '')), {
    timeoutMs,
    what: 'the gateway to listen',
  }).catch((err: Error) => {
    child.kill('SIGKILL');
    throw new Error(`${err.message}\n${text}`);
  });
  if (url === '-') throw new Error(`the gateway exited during boot:\n${text}`);
  return {
    url,
    child,
    output: () => text,
    kill: async (signal) => {
      if (!gone) child.kill(signal);
      return exited;
    },
  };
}
