import 'reflect-metadata';
import { benchDockerRest } from './docker-rest.bench.mjs';
import { benchLocalExec } from './local-exec.bench.mjs';
import { benchLocalHelper } from './local-helper.bench.mjs';
import { printTable } from './stats.mjs';

const iterations = Number(process.env.BENCH_ITERATIONS ?? 100);
const creates = Number(process.env.BENCH_CREATES ?? 20);
const rows = [...(await benchLocalExec(iterations)), ...(await benchLocalHelper(iterations))];
try {
  rows.push(...(await benchDockerRest(iterations, creates)));
} catch (err) {
  console.error(`docker benchmarks skipped: ${err.message} (run scripts/ensure-docker.sh and npm run images:local)`);
  if (process.env.CI === 'true') process.exitCode = 1;
}
printTable(rows);
