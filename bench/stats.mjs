/** Timing helpers for benchmarks: run sequentially, report median and p90 in milliseconds. */
export async function measure(name, iterations, fn, { warmup = 5 } = {}) {
  for (let i = 0; i < warmup; i++) await fn();
  const samples = [];
  for (let i = 0; i < iterations; i++) {
    const t = performance.now();
    await fn();
    samples.push(performance.now() - t);
  }
  const at = quantiles(samples);
  return { name, n: iterations, p50: at(0.5), p90: at(0.9) };
}

/** `total` calls of `fn(k)` (k = 0 … total-1) from `clients` callers at once: throughput and p99 go in the name. */
export async function concurrent(name, clients, total, fn) {
  const latencies = [];
  const started = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (next < total) {
        const k = next++;
        const t = performance.now();
        await fn(k);
        latencies.push(performance.now() - t);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const at = quantiles(latencies);
  return {
    name: `${name}, ${clients} clients (${Math.round(total / seconds)} exec/s, p99 ${at(0.99).toFixed(1)} ms)`,
    n: total,
    p50: at(0.5),
    p90: at(0.9),
  };
}

/** Sorts `samples` in place and returns q → the sample at that quantile. */
export function quantiles(samples) {
  samples.sort((a, b) => a - b);
  return (q) => samples[Math.min(samples.length - 1, Math.floor(q * samples.length))];
}

/** Rows are in milliseconds unless they carry a `unit` (e.g. MB, MB/s), which their cells then name. */
export function printTable(rows) {
  const fmt = (n, unit) => (n === undefined ? '' : n.toFixed(2) + (unit ? ` ${unit}` : ''));
  console.log('| benchmark | n | p50 ms | p90 ms | baseline | baseline p50 ms | ratio (p50) |');
  console.log('| --- | --- | --- | --- | --- | --- | --- |');
  for (const r of rows) {
    const ratio = r.baseline ? (r.p50 / r.baseline.p50).toFixed(2) + 'x' : '';
    const b = r.baseline;
    console.log(
      `| ${r.name} | ${r.n} | ${fmt(r.p50, r.unit)} | ${fmt(r.p90, r.unit)} | ${b?.name ?? ''} | ${fmt(b?.p50, b?.unit)} | ${ratio} |`,
    );
  }
}
