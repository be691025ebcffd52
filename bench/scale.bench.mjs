import { readFileSync } from 'node:fs';
import Docker from 'dockerode';
import { rawContainerBody, sandboxContainer } from './docker-rest.bench.mjs';
import { settledRss } from './gateway-rss.bench.mjs';
import { startGatewayProcess } from './gateway.harness.mjs';
import { concurrent, measure, quantiles } from './stats.mjs';

const CLIENTS = 16;
const LIST_CALLS = 20;

/** `BENCH_SCALE_SIZES` (comma-separated, e.g. `50,100,200`; empty skips the scale rows). */
export function scaleSizes(value = process.env.BENCH_SCALE_SIZES ?? '50,100,200') {
  const sizes = value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map(Number);
  if (sizes.some((n) => !Number.isInteger(n) || n < 1)) {
    throw new Error(`BENCH_SCALE_SIZES must be positive integers like 50,100,200, not "${value}"`);
  }
  return [...new Set(sizes)].sort((a, b) => a - b);
}

/** `fn` over every item, at most `limit` at once; every item is tried, and the first failure is rethrown. */
async function eachLimited(items, limit, fn) {
  const errors = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const item = items[next++];
        await fn(item).catch((err) => errors.push(err));
      }
    }),
  );
  if (errors.length) throw new Error(`${errors.length} of ${items.length} failed; first: ${errors[0].message}`);
}

const memAvailableMiB = () =>
  Number(/^MemAvailable:\s+(\d+) kB$/m.exec(readFileSync('/proc/meminfo', 'utf8'))[1]) / 1024;

/**
 * A container's memory as `docker stats` counts it: the cgroup's usage less its inactive page cache
 * (cgroup v1 memory.usage_in_bytes − total_inactive_file; v2 memory.current − inactive_file), in MiB.
 */
function cgroupMiB(containerId) {
  const dirs = [
    [`/sys/fs/cgroup/memory/docker/${containerId}`, 'memory.usage_in_bytes', 'total_inactive_file'],
    [`/sys/fs/cgroup/system.slice/docker-${containerId}.scope`, 'memory.current', 'inactive_file'],
    [`/sys/fs/cgroup/docker/${containerId}`, 'memory.current', 'inactive_file'],
  ];
  for (const [dir, usageFile, inactiveKey] of dirs) {
    let usage, stat;
    try {
      usage = Number(readFileSync(`${dir}/${usageFile}`, 'utf8'));
      stat = readFileSync(`${dir}/memory.stat`, 'utf8');
    } catch {
      continue;
    }
    const inactive = Number(new RegExp(`^${inactiveKey} (\\d+)$`, 'm').exec(stat)?.[1] ?? 0);
    return (usage - inactive) / 2 ** 20;
  }
  throw new Error(`no memory cgroup found for container ${containerId}`);
}

const valueRow = (name, value, unit, baseline) => ({ name, n: 1, p50: value, p90: value, unit, baseline });

/**
 * Many live docker sandboxes on one gateway (its own process, agent on): at each size in `sizes`,
 * exec latency with 16 clients spread round-robin over all of them, `GET /v1/sandboxes`, the
 * gateway's RSS, and memory per sandbox, two ways: the drop in the host's MemAvailable since before
 * the first sandbox (so engine overhead such as each container's shim counts, but so does anything
 * else on the host), and the containers' own cgroups beside a raw container of the same image.
 * Each size's baseline is the same measure with one sandbox. Sandboxes are created `createConcurrency`
 * at a time, each with one exec (which starts its agent), and all destroyed at the end, even on failure.
 */
export async function benchScale({ sizes, execs, createConcurrency }) {
  if (sizes.length === 0) return [];
  const docker = new Docker();
  await docker.ping();
  const gw = await startGatewayProcess({
    runtime: 'docker',
    extraPlugins: [{ use: 'runtime-docker' }],
    // A principal of its own: the list is exactly these sandboxes, and another run's clean-up of the
    // dev principal's sandboxes on the same engine cannot take them.
    principal: `bench-scale-${process.pid}`,
    config: { sandbox: { maxPerOwner: sizes.at(-1) + 10 } },
  });
  const ids = [];
  const rows = [];
  let raw;
  const exec = async (id) => {
    const out = await gw.json('POST', `/v1/sandboxes/${id}/exec`, { command: 'echo hi' });
    if (out.stdout !== 'hi\n') throw new Error(`unexpected output ${JSON.stringify(out)}`);
  };
  let listed = 0;
  const list = async () => (listed = (await gw.json('GET', '/v1/sandboxes')).sandboxes.length);
  // The sandboxes that answered their first exec, by container id; `ids` also holds any that did not.
  const live = new Map();
  const createLatencies = [];
  const failures = [];
  const addSandbox = async () => {
    let id;
    try {
      const t = performance.now();
      id = (await gw.json('POST', '/v1/sandboxes', { template: 'base' })).id;
      createLatencies.push(performance.now() - t);
      ids.push(id);
      await exec(id);
      live.set(id, (await sandboxContainer(docker, id)).id);
    } catch (err) {
      // Counted in the create row and replaced: one bad sandbox need not end a scale run, many do.
      failures.push(`${id ?? 'create'}: ${err.message.slice(0, 160)}`);
      console.error(`scale: sandbox ${id ?? '(create)'} failed: ${err.message}`);
      if (id) await gw.json('DELETE', `/v1/sandboxes/${id}`).catch(() => undefined);
    }
  };
  const grow = async (n) => {
    while (live.size < n) {
      if (failures.length > Math.max(3, n / 10)) throw new Error(`${failures.length} sandboxes failed: ${failures[0]}`);
      await eachLimited(
        Array.from({ length: n - live.size }, (_, i) => i),
        createConcurrency,
        addSandbox,
      );
    }
  };
  try {
    raw = await docker.createContainer(rawContainerBody());
    await raw.start();
    const before = memAvailableMiB();
    await grow(1);
    const first = [...live.keys()][0];
    const base = {
      exec: await concurrent('shell.exec `echo hi` via REST on 1 docker sandbox', CLIENTS, execs, () => exec(first)),
      list: await measure('GET /v1/sandboxes, 1 sandbox', LIST_CALLS, list),
      rss: await settledRss('gateway RSS, 1 sandbox', gw.rssMiB),
      cgroup: valueRow('raw container (same image, sleep), cgroup', cgroupMiB(raw.id), 'MiB'),
    };
    for (const n of sizes) {
      createLatencies.length = 0;
      const failed = failures.length;
      const started = performance.now();
      await grow(n);
      const seconds = (performance.now() - started) / 1000;
      const tag = `${n} docker sandboxes`;
      if (createLatencies.length) {
        const at = quantiles(createLatencies);
        rows.push({
          name:
            `sandbox.create via REST, ${createConcurrency} at a time, up to ${tag} ` +
            `(${(createLatencies.length / seconds).toFixed(1)}/s with first exec` +
            (failures.length > failed ? `; ${failures.length - failed} failed, first: ${failures[failed]})` : ')'),
          n: createLatencies.length,
          p50: at(0.5),
          p90: at(0.9),
        });
      }
      const targets = [...live.keys()];
      const spread = await concurrent(`shell.exec \`echo hi\` via REST over ${tag}`, CLIENTS, execs, (k) =>
        exec(targets[k % targets.length]),
      );
      rows.push({ ...spread, baseline: base.exec });
      const listRow = await measure(`GET /v1/sandboxes with ${tag}`, LIST_CALLS, list);
      rows.push({ ...listRow, name: `${listRow.name} (lists ${listed})`, baseline: base.list });
      rows.push({ ...(await settledRss(`gateway RSS with ${tag}`, gw.rssMiB)), baseline: base.rss });
      const perSandbox = (before - memAvailableMiB()) / live.size;
      rows.push(valueRow(`host memory per sandbox, MemAvailable drop / ${n}`, perSandbox, 'MiB'));
      const cgroups = [...live.values()].map(cgroupMiB);
      const mean = cgroups.reduce((a, b) => a + b, 0) / cgroups.length;
      rows.push(
        valueRow(`container cgroup memory per sandbox (agent running), mean of ${n}`, mean, 'MiB', base.cgroup),
      );
    }
  } finally {
    await eachLimited(ids, createConcurrency, async (id) => {
      await gw.json('DELETE', `/v1/sandboxes/${id}`).catch(async (err) => {
        // The gateway could not: remove the container directly, with its disk volumes.
        const container = await sandboxContainer(docker, id).catch(() => undefined);
        if (!container && /: 404 /.test(err.message)) return;
        if (!container) throw err;
        await container.remove({ force: true, v: true });
      });
    }).finally(async () => {
      await raw?.remove({ force: true });
      await gw.close();
    });
  }
  return rows;
}
