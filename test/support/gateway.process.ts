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

/** What to boot: the real entry point with `SANDBOXED_*` env, or a gateway with config overrides. */
export type GatewaySetup = { env: Record<string, string> } | { overrides: Record<string, unknown> };

/**
 * Starts a gateway in a child process, from its TypeScript sources (test/support/ts-source.hooks.mjs
 * transpiles them, so no build is needed), on an ephemeral port, and resolves once it listens.
 * `env` runs `apps/gateway/src/main.ts`; `overrides` runs test/fixtures/gateway-child.mjs, which
 * deep-merges them over the default config. `as` runs it as another uid/gid (the caller must be root).
 */
export async function spawnGateway(
  setup: GatewaySetup,
  timeoutMs = 60_000,
  as?: { uid: number; gid: number },
): Promise<GatewayProcess> {
  const [entry, env] =
    'env' in setup
      ? ['apps/gateway/src/main.ts', setup.env]
      : ['test/fixtures/gateway-child.mjs', { SANDBOXED_TEST_OVERRIDES: JSON.stringify(setup.overrides) }];
  const child = spawn(process.execPath, ['--import', './test/support/ts-source.hooks.mjs', entry], {
    cwd: process.cwd(),
    env: { ...process.env, NO_COLOR: '1', SANDBOXED_SERVER__PORT: '0', SANDBOXED_LOG__LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    ...(as ? { uid: as.uid, gid: as.gid } : {}),
  });
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
