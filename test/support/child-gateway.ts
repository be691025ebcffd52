import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const NODE = `${ROOT}node_modules/.bin/node`;
const SCRIPT = fileURLToPath(new URL('../fixtures/gateway-child.mjs', import.meta.url));

export interface ChildGateway {
  url: string;
  process: ChildProcess;
  /** Everything it printed, for failure messages. */
  output(): string;
  /** Sends the signal and resolves once the process is gone. */
  kill(signal?: NodeJS.Signals): Promise<void>;
}

/** Builds (incrementally) the packages a child gateway imports from dist. */
export function buildPackages(projects: string[]): void {
  const res = spawnSync(`${ROOT}node_modules/.bin/tsc`, ['-b', ...projects], { cwd: ROOT, encoding: 'utf8' });
  if (res.status !== 0) throw new Error(`tsc -b failed:\n${res.stdout}\n${res.stderr}`);
}

/** Starts a gateway process with these config overrides and waits until it listens. */
export function startChildGateway(overrides: Record<string, unknown>, timeoutMs = 60_000): Promise<ChildGateway> {
  const env: NodeJS.ProcessEnv = { ...process.env, SANDBOXED_TEST_OVERRIDES: JSON.stringify(overrides) };
  delete env.NODE_OPTIONS;
  const child = spawn(NODE, [SCRIPT], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const gateway = (url: string): ChildGateway => ({
    url,
    process: child,
    output: () => output,
    kill: async (signal = 'SIGTERM') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
    },
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`child gateway did not start in ${timeoutMs} ms:\n${output}`));
    }, timeoutMs);
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      const ready = /^READY (\S+)$/m.exec(output);
      if (ready) {
        clearTimeout(timer);
        resolve(gateway(ready[1]!));
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`child gateway exited (${signal ?? code}) before it was ready:\n${output}`));
    });
  });
}
