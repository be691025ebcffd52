#!/usr/bin/env node
// DockerRuntime against raw dockerode, in the same run, on the same engine.
//   npx tsc -b plugins/runtime-docker && node scripts/bench-docker.mjs [execs=100] [creates=20]
// Prints p50/p90 of `echo hi` exec round trips and of container create+start.
import { randomBytes } from 'node:crypto';
import Docker from 'dockerode';
import { collectOutput } from '../libs/plugin-sdk/dist/index.js';
import { DockerRuntime, resolveDockerRuntimeOptions } from '../plugins/runtime-docker/dist/index.js';

const EXECS = Number(process.argv[2] ?? 100);
const CREATES = Number(process.argv[3] ?? 20);
const IMAGE = 'sandboxed/base:local';

const docker = new Docker();
const runtime = new DockerRuntime(resolveDockerRuntimeOptions({}), { log() {}, warn: console.warn });

function pct(samples, p) {
  const s = [...samples].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
}

async function timed(fn) {
  const t = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - t) / 1e6;
}

function spec() {
  return {
    id: randomBytes(16).toString('hex'),
    owner: 'bench',
    template: 'base',
    env: {},
    labels: {},
    resources: { cpu: 1, memoryMb: 512 },
    expiresAt: new Date(Date.now() + 600_000),
  };
}

async function runtimeEcho(id) {
  const r = await collectOutput(await runtime.exec(id, { argv: ['echo', 'hi'] }), { maxOutputBytes: 1024 });
  if (r.stdout.toString() !== 'hi\n' || r.exit.exitCode !== 0) throw new Error('runtime exec failed');
}

async function rawEcho(container) {
  const exec = await container.exec({ Cmd: ['echo', 'hi'], AttachStdout: true, AttachStderr: true });
  const stream = await exec.start({ Detach: false, Tty: false });
  const chunks = [];
  for await (const c of stream) chunks.push(c);
  const info = await exec.inspect();
  if (!Buffer.concat(chunks).includes('hi\n') || info.ExitCode !== 0) throw new Error('raw exec failed');
}

const rawBody = () => ({
  Image: IMAGE,
  Entrypoint: ['sleep'],
  Cmd: ['infinity'],
  User: '1000:1000',
  Labels: { 'sandboxed.bench': 'raw' },
  HostConfig: {
    NetworkMode: 'none',
    CapDrop: ['ALL'],
    SecurityOpt: ['no-new-privileges'],
    PidsLimit: 256,
    Memory: 512 * 1024 * 1024,
    MemorySwap: 512 * 1024 * 1024,
    NanoCpus: 1e9,
    Init: true,
  },
});

const rows = [];
function row(name, ours, raw) {
  rows.push({ name, p50: pct(ours, 50), p90: pct(ours, 90), rawP50: pct(raw, 50), rawP90: pct(raw, 90) });
}

const sandbox = spec();
await runtime.create(sandbox);
const rawContainer = await docker.createContainer(rawBody());
await rawContainer.start();
try {
  for (let i = 0; i < 5; i++) {
    await runtimeEcho(sandbox.id);
    await rawEcho(rawContainer);
  }
  const ours = [];
  const raw = [];
  // Alternating, so both see the same engine load.
  for (let i = 0; i < EXECS; i++) {
    ours.push(await timed(() => runtimeEcho(sandbox.id)));
    raw.push(await timed(() => rawEcho(rawContainer)));
  }
  row(`exec echo hi (n=${EXECS})`, ours, raw);

  const oursCreate = [];
  const rawCreate = [];
  for (let i = 0; i < CREATES; i++) {
    const s = spec();
    oursCreate.push(await timed(() => runtime.create(s)));
    await runtime.destroy(s.id);
    let c;
    rawCreate.push(
      await timed(async () => {
        c = await docker.createContainer(rawBody());
        await c.start();
      }),
    );
    await c.remove({ force: true });
  }
  row(`create+start (n=${CREATES})`, oursCreate, rawCreate);
} finally {
  await runtime.destroy(sandbox.id);
  await rawContainer.remove({ force: true });
}

const f = (n) => `${n.toFixed(1)} ms`.padStart(10);
console.log(
  `${'measure'.padEnd(26)}${'ours p50'.padStart(10)}${'ours p90'.padStart(10)}${'raw p50'.padStart(10)}${'raw p90'.padStart(10)}  ratio p50`,
);
for (const r of rows) {
  console.log(
    `${r.name.padEnd(26)}${f(r.p50)}${f(r.p90)}${f(r.rawP50)}${f(r.rawP90)}  ${(r.p50 / r.rawP50).toFixed(2)}x`,
  );
}
