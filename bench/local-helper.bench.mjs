import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { collectOutput } from '@sandboxed/plugin-sdk';
import { LocalRuntime } from '@sandboxed/runtime-local';
import { startBenchGateway } from './gateway.harness.mjs';
import { measure } from './stats.mjs';

function run(file, args) {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { env: { PATH: '/usr/bin:/bin' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (c) => (out += c));
    child.once('error', reject);
    child.once('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`${file} exited ${code}`))));
  });
}

/**
 * One local exec through the sandbox helper (one static program: cgroup, rlimits, uid drop, user
 * namespace, seccomp, reaper), against the chain it replaced, spawned the same way into the same
 * sandbox: nsenter, prlimit, setpriv and env before the program (the old process count; measured only).
 */
export async function benchLocalHelper(iterations) {
  if (process.getuid?.() !== 0) return [];
  const gw = await startBenchGateway();
  try {
    const { id } = await gw.json('POST', '/v1/sandboxes');
    const runtime = new LocalRuntime({ dataDir: gw.localDataDir, isolation: 'bwrap', network: 'none' });
    const helper = await measure('LocalRuntime.exec via the sandbox helper', iterations, async () => {
      const out = await collectOutput(await runtime.exec(id, { argv: ['/bin/echo', 'hi'] }), { maxOutputBytes: 64 });
      if (out.stdout.toString() !== 'hi\n') throw new Error('unexpected output');
    });
    const meta = JSON.parse(await readFile(join(gw.localDataDir, id, 'meta.json'), 'utf8'));
    const chain = [
      ...['--target', String(meta.holder.childPid), '--user', '--mount', '--pid', '--net', '--ipc', '--uts'],
      ...['--root', '--wd', '--setuid', '65534', '--setgid', '65534', '--'],
      ...['/usr/bin/prlimit', '--nofile=8192', '--core=0', '--', '/usr/bin/setpriv', '--no-new-privs', '--'],
      ...['/usr/bin/env', '-C', '/workspace', '--', '/bin/echo', 'hi'],
    ];
    const baseline = await measure('nsenter, prlimit, setpriv, env chain', iterations, async () => {
      if ((await run('/usr/bin/nsenter', chain)) !== 'hi\n') throw new Error('unexpected output');
    });
    await gw.json('DELETE', `/v1/sandboxes/${id}`);
    return [{ ...helper, baseline }];
  } finally {
    await gw.close();
  }
}
