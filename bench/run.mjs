import 'reflect-metadata';
import { benchAgent, unisolatedFloor } from './agent.bench.mjs';
import { benchBrowser } from './browser.bench.mjs';
import { benchDockerRest } from './docker-rest.bench.mjs';
import { benchFileTransfer } from './file-transfer.bench.mjs';
import { benchGatewayRss } from './gateway-rss.bench.mjs';
import { benchKubernetesRest } from './kubernetes-rest.bench.mjs';
import { benchLocalExec } from './local-exec.bench.mjs';
import { benchLocalHelper } from './local-helper.bench.mjs';
import { benchScale, scaleSizes } from './scale.bench.mjs';
import { printTable } from './stats.mjs';
import { benchWarmPool } from './warm-pool.bench.mjs';

const iterations = Number(process.env.BENCH_ITERATIONS ?? 100);
const execIterations = Number(process.env.BENCH_EXEC_ITERATIONS ?? 300);
const creates = Number(process.env.BENCH_CREATES ?? 20);
const browserIterations = Number(process.env.BENCH_BROWSER_ITERATIONS ?? 30);
const transferIterations = Number(process.env.BENCH_TRANSFER_ITERATIONS ?? 3);
const scale = {
  sizes: scaleSizes(),
  execs: Number(process.env.BENCH_SCALE_EXECS ?? 800),
  createConcurrency: Number(process.env.BENCH_SCALE_CREATE_CONCURRENCY ?? 8),
};
const docker = [{ use: 'runtime-docker' }];
const started = performance.now();
const rows = [
  ...(await benchGatewayRss('local')),
  ...(await benchLocalExec(execIterations)),
  ...(await benchLocalHelper(execIterations)),
  ...(await benchAgent('local', { iterations, execIterations, floor: unisolatedFloor })),
  ...(await benchBrowser('local', browserIterations, 5)),
];
const skipped = (what, err, hint = '') => {
  console.error(`${what} skipped: ${err.message}${hint}`);
  if (process.env.CI === 'true') process.exitCode = 1;
};
let dockerUp = false;
try {
  rows.push(...(await benchGatewayRss('docker', docker)));
  const dockerRows = await benchDockerRest(execIterations, creates);
  dockerUp = true;
  rows.push(...dockerRows);
  rows.push(...(await benchKubernetesRest({ iterations, execIterations, creates, dockerRows })));
  rows.push(...(await benchAgent('docker', { iterations, execIterations, extraPlugins: docker })));
  rows.push(...(await benchFileTransfer(transferIterations)));
  rows.push(...(await benchWarmPool(creates)));
  rows.push(...(await benchBrowser('docker', browserIterations, 5, docker)));
} catch (err) {
  skipped('docker and kubernetes benchmarks', err, ' (run scripts/ensure-docker.sh and npm run images:local)');
}
if (dockerUp) {
  try {
    rows.push(...(await benchScale(scale)));
  } catch (err) {
    skipped('scale benchmark', err);
  }
}
printTable(rows);
console.log(`\nbench took ${((performance.now() - started) / 1000).toFixed(0)} s`);
