import 'reflect-metadata';
import { benchAgent } from './agent.bench.mjs';
import { benchBrowser } from './browser.bench.mjs';
import { benchDockerRest } from './docker-rest.bench.mjs';
import { benchKubernetesRest } from './kubernetes-rest.bench.mjs';
import { benchLocalExec } from './local-exec.bench.mjs';
import { benchLocalHelper } from './local-helper.bench.mjs';
import { printTable } from './stats.mjs';
import { benchWarmPool } from './warm-pool.bench.mjs';

const iterations = Number(process.env.BENCH_ITERATIONS ?? 100);
const creates = Number(process.env.BENCH_CREATES ?? 20);
const browserIterations = Number(process.env.BENCH_BROWSER_ITERATIONS ?? 30);
const rows = [
  ...(await benchLocalExec(iterations)),
  ...(await benchLocalHelper(iterations)),
  ...(await benchAgent(iterations)),
  ...(await benchBrowser('local', browserIterations, 5)),
];
try {
  const docker = await benchDockerRest(iterations, creates);
  rows.push(...docker, ...(await benchKubernetesRest(iterations, creates, docker)));
  rows.push(...(await benchAgent(iterations, [['docker', [{ use: 'runtime-docker' }]]])));
  rows.push(...(await benchWarmPool(creates)));
  rows.push(...(await benchBrowser('docker', browserIterations, 5, [{ use: 'runtime-docker' }])));
} catch (err) {
  console.error(
    `docker and kubernetes benchmarks skipped: ${err.message} (run scripts/ensure-docker.sh and npm run images:local)`,
  );
  if (process.env.CI === 'true') process.exitCode = 1;
}
printTable(rows);
