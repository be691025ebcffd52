import 'reflect-metadata';
import { benchLocalExec } from './local-exec.bench.mjs';
import { printTable } from './stats.mjs';

const iterations = Number(process.env.BENCH_ITERATIONS ?? 100);
const rows = [...(await benchLocalExec(iterations))];
printTable(rows);
