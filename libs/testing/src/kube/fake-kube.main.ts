/**
 * `npm run k8s:fake -- --kubeconfig PATH [--namespace NS] [--port N] [--host H] [--token T]`:
 * runs fake-kube standalone, writes a kubeconfig for it to PATH, and serves until SIGINT or
 * SIGTERM, then removes every container it made. Test and demo use only.
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { startFakeKube } from './fake-kube.server.js';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      kubeconfig: { type: 'string' },
      namespace: { type: 'string', default: 'sandboxed' },
      host: { type: 'string', default: '127.0.0.1' },
      port: { type: 'string', default: '0' },
      token: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help || !values.kubeconfig) {
    process.stdout.write(
      'usage: npm run k8s:fake -- --kubeconfig PATH [--namespace sandboxed] [--host 127.0.0.1] [--port 0] [--token T]\n',
    );
    process.exit(values.help ? 0 : 2);
  }
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`--port must be 0-65535, got ${values.port}`);
  const fake = await startFakeKube({ host: values.host, port, ...(values.token ? { token: values.token } : {}) });
  const path = resolve(values.kubeconfig);
  fake.writeKubeconfig(path, values.namespace);
  process.stdout.write(
    `fake-kube serving at ${fake.url}\nkubeconfig written to ${path} (namespace ${values.namespace})\n`,
  );
  process.stdout.write(`try: KUBECONFIG=${path} kubectl get pods\n`);
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    process.stdout.write(`${signal}: stopping fake-kube and removing its containers\n`);
    fake.close().then(
      () => process.exit(0),
      (err: unknown) => {
        process.stderr.write(`fake-kube: ${String(err)}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

main().catch((err: unknown) => {
  process.stderr.write(`fake-kube: ${(err as Error).message ?? String(err)}\n`);
  process.exit(1);
});
