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
// One group failing (a race in one feature, a missing engine) skips that group's rows, not the rest.
const group = async (what, bench, hint = '') => {
  try {
    rows.push(...(await bench()));
    return true;
  } catch (err) {
    console.error(`${what} skipped: ${err.message}${hint}`);
    if (process.env.CI === 'true') process.exitCode = 1;
    return false;
  }
};
let dockerRows = [];
const dockerUp = await group(
  'docker and kubernetes benchmarks',
  async () => {
    dockerRows = await benchDockerRest(execIterations, creates);
    return [...(await benchGatewayRss('docker', docker)), ...dockerRows];
  },
  ' (run scripts/ensure-docker.sh and npm run images:local)',
);
if (dockerUp) {
  await group('kubernetes benchmarks', () => benchKubernetesRest({ iterations, execIterations, creates, dockerRows }));
  await group('docker agent benchmarks', () =>
    benchAgent('docker', { iterations, execIterations, extraPlugins: docker }),
  );
  await group('docker file transfer benchmarks', () => benchFileTransfer(transferIterations));
  await group('warm pool benchmarks', () => benchWarmPool(creates));
  await group('docker browser benchmarks', () => benchBrowser('docker', browserIterations, 5, docker));
  await group('scale benchmarks', () => benchScale(scale));
}
printTable(rows);
console.log(`\nbench took ${((performance.now() - started) / 1000).toFixed(0)} s`);
