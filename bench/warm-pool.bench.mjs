import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createGateway } from '@sandboxed/kernel';
import Docker from 'dockerode';
import { DockerRuntime, POOL_LABELS, resolveDockerRuntimeOptions } from '@sandboxed/runtime-docker';
import { LocalRuntime } from '@sandboxed/runtime-local';
import { rawContainerBody, rawEcho } from './docker-rest.bench.mjs';
import { benchConfig } from './gateway.harness.mjs';
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
 * A gateway of this benchmark's own: a unique principal (an API key), so listing and its close
 * touch only its own sandboxes on a shared engine; a private local data dir; a private docker
 * template, so no other run's pool shares its members. Its close stops the pool (no refill)
 * before the members go, and removes the data dir only then.
 */
async function startPoolGateway({ runtime, template, pools = [] }) {
  const dataDir = await mkdtemp(join(tmpdir(), 'sandboxed-bench-pool-'));
  const key = `sk_bench_${randomBytes(12).toString('hex')}`;
  const config = benchConfig({
    runtime,
    dataDir,
    extraPlugins: runtime === 'docker' ? [dockerPlugin(template)] : [],
    overrides: {
      auth: { apiKeys: { [key]: `bench-${randomBytes(4).toString('hex')}` } },
      sandbox: { pools: pools.map((size) => ({ template, size })) },
    },
  });
  const gateway = await createGateway({ config, version: 'bench' });
  const probe =
    runtime === 'docker'
      ? new DockerRuntime(resolveDockerRuntimeOptions(dockerPlugin(template).options))
      : new LocalRuntime({ dataDir, isolation: 'bwrap', network: 'none' });
  const json = async (method, path, body) => {
    const res = await fetch(`${gateway.url}${path}`, {
      method,
      headers: { 'x-api-key': key, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (res.status >= 400) throw new Error(`${method} ${path}: ${res.status} ${text}`);
    return text ? JSON.parse(text) : undefined;
  };
  const ready = async () =>
    (await probe.pool.members()).filter((m) => m.template === template && m.status === 'running').length;
  return {
    dataDir,
    json,
    ready,
    close: async () => {
      for (const sb of (await json('GET', '/v1/sandboxes')).sandboxes) await json('DELETE', `/v1/sandboxes/${sb.id}`);
      await gateway.close();
      for (const m of await probe.pool.members()) if (m.template === template) await probe.pool.recycle(m.key);
      await probe.close?.();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

function dockerPlugin(template) {
  return { use: 'runtime-docker', options: { templates: { [template]: { image: 'sandboxed/base:local' } } } };
}

/**
 * Create and create → first exec on the local runtime, from a warm pool against cold, in one run
 * (the local runtime has no raw engine to compare with: cold is its own floor). The rows say how
 * many creates were served warm (a former member's meta.json keeps its pool slot).
 */
export async function benchLocalWarmPool(creates) {
  const size = creates + 1;
  const warm = await startPoolGateway({ runtime: 'local', template: TEMPLATE, pools: [size] });
  const cold = await startPoolGateway({ runtime: 'local', template: TEMPLATE });
  const ready = warm.ready;
  const isWarm = async (id) => Boolean(JSON.parse(await readFile(join(warm.dataDir, id, 'meta.json'), 'utf8')).slot);
  const create = (gw, ids) => async () => ids.push((await gw.json('POST', '/v1/sandboxes', { template: TEMPLATE })).id);
  const createExec = (gw, ids) => async () => {
    await create(gw, ids)();
    const out = await gw.json('POST', `/v1/sandboxes/${ids.at(-1)}/exec`, { command: 'echo hi' });
    if (out.stdout !== 'hi\n') throw new Error(`unexpected output ${JSON.stringify(out)}`);
  };
  const rows = [];
  try {
    const served = [];
    const coldIds = [];
    await until(`a local warm pool of ${size}`, async () => (await ready()) >= size);
    const warmCreate = await measure('sandbox.create via REST (local, warm pool)', creates, create(warm, served), {
      warmup: 1,
    });
    const coldCreate = await measure('sandbox.create via REST (local, cold)', creates, create(cold, coldIds), {
      warmup: 1,
    });
    await until(`the local pool to refill`, async () => (await ready()) >= size);
    const warmExec = await measure(
      'create → first exec via REST (local, warm pool)',
      creates,
      createExec(warm, served),
      { warmup: 1 },
    );
    const coldExec = await measure('create → first exec via REST (local, cold)', creates, createExec(cold, coldIds), {
      warmup: 1,
    });
    const tag = ` [${(await Promise.all(served.map(isWarm))).filter(Boolean).length}/${served.length} warm]`;
    rows.push({ ...warmCreate, name: warmCreate.name + tag, baseline: coldCreate });
    rows.push({ ...warmExec, name: warmExec.name + tag, baseline: coldExec });
  } finally {
    await cold.close();
    await warm.close();
  }
  return rows;
}

/**
 * Create → first exec on docker: cold, from a warm pool (sandbox.pools), and a raw dockerode
 * create+start+exec of the same hardened container, in one run on one engine. The rows say how
 * many creates were served warm; a pool larger than the run keeps every measured create warm.
 * With `local` (the default) the local runtime's warm-pool rows come first.
 */
export async function benchWarmPool(creates, { local = true } = {}) {
  const rows = local ? await benchLocalWarmPool(creates) : [];
  const docker = new Docker();
  await docker.ping();
  const template = `bench${randomBytes(4).toString('hex')}`;
  const size = 2 * (creates + 1);
  const warm = await startPoolGateway({ runtime: 'docker', template, pools: [size] });
  const cold = await startPoolGateway({ runtime: 'docker', template });
  const ready = warm.ready;
  const served = [];
  // A claimed sandbox has a claim record (its container gets its sandbox name a moment later).
  const isWarm = async (id) =>
    ((await docker.listVolumes({ filters: { label: [`${POOL_LABELS.claim}=${id}`] } })).Volumes ?? []).length > 0;
  const createExec = (gw, ids) => async () => {
    const { id } = await gw.json('POST', '/v1/sandboxes', { template });
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
      async () => createOnly.push((await warm.json('POST', '/v1/sandboxes', { template })).id),
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
  }
  return rows;
}
