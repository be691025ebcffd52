import Docker from 'dockerode';
import { SANDBOX_LABELS } from '@sandboxed/runtime-docker';
import { startBenchGateway } from './gateway.harness.mjs';
import { measure } from './stats.mjs';

const IMAGE = 'sandboxed/base:local';

/** The same hardening the runtime applies, so the baseline pays for the same container. */
export const rawContainerBody = () => ({
  Image: IMAGE,
  Entrypoint: ['sleep'],
  Cmd: ['infinity'],
  User: '1000:1000',
  Labels: { 'sandboxed.bench': 'raw' },
  HostConfig: {
    NetworkMode: 'none',
    CapDrop: ['ALL'],
    SecurityOpt: ['no-new-privileges'],
    PidsLimit: 256,
    Memory: 512 * 1024 * 1024,
    MemorySwap: 512 * 1024 * 1024,
    NanoCpus: 1e9,
    Init: true,
  },
});

/** The container behind a docker sandbox, found by its id label (a claimed pool member has another name). */
export async function sandboxContainer(docker, id) {
  const [info] = await docker.listContainers({ all: true, filters: { label: [`${SANDBOX_LABELS.id}=${id}`] } });
  if (!info) throw new Error(`no container for sandbox ${id}`);
  return docker.getContainer(info.Id);
}

export async function rawEcho(container) {
  const exec = await container.exec({ Cmd: ['echo', 'hi'], AttachStdout: true, AttachStderr: true });
  const stream = await exec.start({ Detach: false, Tty: false });
  const chunks = [];
  for await (const c of stream) chunks.push(c);
  const info = await exec.inspect();
  if (!Buffer.concat(chunks).includes('hi\n') || info.ExitCode !== 0) throw new Error('raw exec failed');
}

/** REST on the docker runtime against raw dockerode calls in the same run, on the same engine. */
export async function benchDockerRest(execIterations, creates) {
  const docker = new Docker();
  await docker.ping();
  const gw = await startBenchGateway({ runtime: 'docker', extraPlugins: [{ use: 'runtime-docker' }] });
  const raw = await docker.createContainer(rawContainerBody());
  await raw.start();
  const rows = [];
  try {
    const { id } = await gw.json('POST', '/v1/sandboxes', { template: 'base' });
    const rest = await measure('shell.exec `echo hi` via REST (docker)', execIterations, async () => {
      const out = await gw.json('POST', `/v1/sandboxes/${id}/exec`, { command: 'echo hi' });
      if (out.stdout !== 'hi\n') throw new Error(`unexpected output ${JSON.stringify(out)}`);
    });
    const rawExec = await measure('raw dockerode exec', execIterations, () => rawEcho(raw));
    rows.push({ ...rest, baseline: rawExec });
    await gw.json('DELETE', `/v1/sandboxes/${id}`);

    const created = [];
    const restCreate = await measure(
      'sandbox.create via REST (docker)',
      creates,
      async () => created.push((await gw.json('POST', '/v1/sandboxes', { template: 'base' })).id),
      { warmup: 1 },
    );
    const rawCreated = [];
    const rawCreate = await measure(
      'raw dockerode create+start',
      creates,
      async () => {
        const c = await docker.createContainer(rawContainerBody());
        await c.start();
        rawCreated.push(c);
      },
      { warmup: 1 },
    );
    rows.push({ ...restCreate, baseline: rawCreate });
    for (const sid of created) await gw.json('DELETE', `/v1/sandboxes/${sid}`);
    for (const c of rawCreated) await c.remove({ force: true });

    if (await hasOperation(gw, 'code.execute')) {
      const python = await measure(
        'code.execute python hello world (docker)',
        Math.max(5, Math.floor(creates / 2)),
        async () => {
          const out = await gw.json('POST', '/v1/execute', { language: 'python', code: 'print("hello")' });
          if (out.stdout !== 'hello\n') throw new Error(`unexpected output ${JSON.stringify(out)}`);
        },
        { warmup: 1 },
      );
      rows.push(python);
    }
  } finally {
    await raw.remove({ force: true });
    await gw.close();
  }
  return rows;
}

async function hasOperation(gw, opId) {
  const spec = await gw.json('GET', '/openapi.json');
  return Object.values(spec.paths).some((methods) => Object.values(methods).some((op) => op.operationId === opId));
}
