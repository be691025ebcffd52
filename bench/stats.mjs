/** Timing helpers for benchmarks: run sequentially, report median and p90 in milliseconds. */
export async function measure(name, iterations, fn, { warmup = 5 } = {}) {
  for (let i = 0; i < warmup; i++) await fn();
  const samples = [];
  for (let i = 0; i < iterations; i++) {
    const t = performance.now();
    await fn();
    samples.push(performance.now() - t);
  }
  samples.sort((a, b) => a - b);
  const at = (q) => samples[Math.min(samples.length - 1, Math.floor(q * samples.length))];
  return { name, n: iterations, p50: at(0.5), p90: at(0.9) };
}

export function printTable(rows) {
  const fmt = (n) => (n === undefined ? '' : n.toFixed(2));
  console.log('| benchmark | n | p50 ms | p90 ms | baseline | baseline p50 ms | ratio (p50) |');
  console.log('| --- | --- | --- | --- | --- | --- | --- |');
  for (const r of rows) {
    const ratio = r.baseline ? (r.p50 / r.baseline.p50).toFixed(2) + 'x' : '';
    console.log(
      `| ${r.name} | ${r.n} | ${fmt(r.p50)} | ${fmt(r.p90)} | ${r.baseline?.name ?? ''} | ${fmt(r.baseline?.p50)} | ${ratio} |`,
    );
  }
}
