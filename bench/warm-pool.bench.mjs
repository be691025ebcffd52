import Docker from 'dockerode';
import { DockerRuntime, POOL_LABELS, resolveDockerRuntimeOptions } from '@sandboxed/runtime-docker';
import { rawContainerBody, rawEcho } from './docker-rest.bench.mjs';
import { startBenchGateway } from './gateway.harness.mjs';
import { measure } from './stats.mjs';

const TEMPLATE = 'base';

async function until(what, check, timeoutMs = 300_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/**
 * Create → first exec on docker: cold, from a warm pool (sandbox.pools), and a raw dockerode
 * create+start+exec of the same hardened container, in one run on one engine. The rows say how
 * many creates were served warm; a pool larger than the run keeps every measured create warm.
 */
export async function benchWarmPool(creates) {
  const docker = new Docker();
  await docker.ping();
  const probe = new DockerRuntime(resolveDockerRuntimeOptions({}));
  const size = 2 * (creates + 1);
  const warm = await startBenchGateway({
    runtime: 'docker',
    extraPlugins: [{ use: 'runtime-docker' }],
    config: { sandbox: { pools: [{ template: TEMPLATE, size }] } },
  });
  const cold = await startBenchGateway({ runtime: 'docker', extraPlugins: [{ use: 'runtime-docker' }] });
  const ready = async () =>
    (await probe.pool.members()).filter((m) => m.template === TEMPLATE && m.status === 'running').length;
  const rows = [];
  const served = [];
  const isWarm = async (id) =>
    Boolean((await docker.getContainer(`sandboxed-${id}`).inspect()).Config.Labels[POOL_LABELS.key]);
  const createExec = (gw, ids) => async () => {
    const { id } = await gw.json('POST', '/v1/sandboxes', { template: TEMPLATE });
    ids.push(id);
    const out = await gw.json('POST', `/v1/sandboxes/${id}/exec`, { command: 'echo hi' });
    if (out.stdout !== 'hi\n') throw new Error(`unexpected output ${JSON.stringify(out)}`);
  };
  try {
    await until(`a warm pool of ${size}`, async () => (await ready()) >= size);
    const createOnly = [];
    const warmCreate = await measure(
      'sandbox.create via REST (docker, warm pool)',
      creates,
      async () => createOnly.push((await warm.json('POST', '/v1/sandboxes', { template: TEMPLATE })).id),
      { warmup: 1 },
    );
    await until(`the pool to refill`, async () => (await ready()) >= size);
    const warmIds = [];
    const warmRow = await measure(
      'create → first exec via REST (docker, warm pool)',
      creates,
      createExec(warm, warmIds),
      {
        warmup: 1,
      },
    );
    served.push(...createOnly, ...warmIds);
    const warmCount = (await Promise.all(served.map(isWarm))).filter(Boolean).length;
    for (const id of served) await warm.json('DELETE', `/v1/sandboxes/${id}`);

    const coldIds = [];
    const coldRow = await measure('create → first exec via REST (docker, cold)', creates, createExec(cold, coldIds), {
      warmup: 1,
    });
    for (const id of coldIds) await cold.json('DELETE', `/v1/sandboxes/${id}`);

    const rawCreated = [];
    const rawRow = await measure(
      'raw dockerode create+start+exec',
      creates,
      async () => {
        const c = await docker.createContainer(rawContainerBody());
        rawCreated.push(c);
        await c.start();
        await rawEcho(c);
      },
      { warmup: 1 },
    );
    const rawCreateRow = await measure(
      'raw dockerode create+start',
      creates,
      async () => {
        const c = await docker.createContainer(rawContainerBody());
        rawCreated.push(c);
        await c.start();
      },
      { warmup: 1 },
    );
    for (const c of rawCreated) await c.remove({ force: true });
    const tag = ` [${warmCount}/${served.length} warm]`;
    rows.push({ ...warmCreate, name: warmCreate.name + tag, baseline: rawCreateRow });
    rows.push({ ...warmRow, name: warmRow.name + tag, baseline: rawRow });
    rows.push({ ...coldRow, baseline: rawRow });
  } finally {
    await cold.close();
    await warm.close();
    for (const m of await probe.pool.members()) if (m.template === TEMPLATE) await probe.pool.recycle(m.key);
  }
  return rows;
}
