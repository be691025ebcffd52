import { existsSync, readFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { mkdtemp, rm, readdir } from 'node:fs/promises';
import * as tar from 'tar-stream';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { collectOutput, type SandboxSpec } from '@sandboxed/plugin-sdk';
import { runtimeConformanceSuite, sandboxSpec } from '@sandboxed/testing';
import { LocalRuntime } from './local.runtime.js';

const quiet = { warn: () => undefined };

const spec = (overrides: Partial<SandboxSpec> = {}) => sandboxSpec('local-spec', overrides);

let conformanceDir: string;
runtimeConformanceSuite('local (bwrap)', {
  async create() {
    conformanceDir = await mkdtemp(join(tmpdir(), 'sbx-local-conf-'));
    return new LocalRuntime({ dataDir: conformanceDir, isolation: 'bwrap', network: 'none' }, quiet);
  },
  async restart() {
    return new LocalRuntime({ dataDir: conformanceDir, isolation: 'bwrap', network: 'none' }, quiet);
  },
  async cleanup() {
    await rm(conformanceDir, { recursive: true, force: true });
  },
});

describe('LocalRuntime isolation (bwrap)', () => {
  let dataDir: string;
  let runtime: LocalRuntime;
  let id: string;

  async function sh(script: string): Promise<{ out: string; err: string; code: number | null }> {
    const r = await collectOutput(await runtime.exec(id, { argv: ['sh', '-c', script] }), { maxOutputBytes: 1 << 20 });
    return { out: r.stdout.toString(), err: r.stderr.toString(), code: r.exit.exitCode };
  }

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'sbx-local-iso-'));
    runtime = new LocalRuntime({ dataDir, isolation: 'bwrap', network: 'none' }, quiet);
    const info = await runtime.create(spec());
    id = info.id;
  });

  afterAll(async () => {
    await runtime.destroy(id);
    await rm(dataDir, { recursive: true, force: true });
  });

  it('does not see the host filesystem', async () => {
    const r = await sh(
      'ls -A /; echo ---; ls -A /etc; echo ---; test -e /etc/shadow && echo SHADOW; test -e /root && echo ROOT; test -e /home && echo HOME; test -e /work && echo WORK; true',
    );
    const [root, etc] = r.out.split('---\n');
    expect(root!.split('\n').filter(Boolean).sort()).toEqual([
      'bin',
      'dev',
      'etc',
      'lib',
      'lib64',
      'proc',
      'sbin',
      'tmp',
      'usr',
      'workspace',
    ]);
    expect(etc).not.toMatch(/shadow|sudoers|ssh/);
    expect(r.out).not.toMatch(/SHADOW|ROOT|HOME|WORK/);
  });

  it('sees its workspace at /workspace, backed by the sandbox directory', async () => {
    expect((await sh('echo data > /workspace/f.txt && pwd')).out.trim()).toBe('/workspace');
    expect(await readdir(join(dataDir, id, 'workspace'))).toContain('f.txt');
  });

  it('gives the sandbox user a writable /tmp and a readable /etc allowlist', async () => {
    const r = await sh('echo x > /tmp/probe && cat /tmp/probe && stat -c %a /tmp && head -c 5 /etc/passwd && echo');
    expect(r.err).toBe('');
    const [tmpContent, tmpMode, passwd] = r.out.split('\n');
    expect([tmpContent, tmpMode, passwd]).toEqual(['x', '1777', 'root:']);
  });

  it('has a read-only /usr', async () => {
    const r = await sh('touch /usr/sbx-probe 2>&1; echo rc=$?');
    expect(r.out).toMatch(/Read-only file system/);
    expect(r.out).toMatch(/rc=[1-9]/);
  });

  it('has no network but loopback', async () => {
    const r = await sh("tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d ' '");
    expect(r.out.trim().split('\n')).toEqual(['lo']);
  });

  it('runs without capabilities and with no_new_privs', async () => {
    const r = await sh('grep -E "^(CapEff|CapPrm|CapBnd|NoNewPrivs)" /proc/self/status');
    expect(r.out).toMatch(/CapEff:\s+0000000000000000/);
    expect(r.out).toMatch(/CapPrm:\s+0000000000000000/);
    expect(r.out).toMatch(/CapBnd:\s+0000000000000000/);
    expect(r.out).toMatch(/NoNewPrivs:\s+1/);
  });

  it('cannot write kernel knobs in /proc', async () => {
    const r = await sh(
      'echo h > /proc/sysrq-trigger 2>&1; echo rc=$?; echo 3 > /proc/sys/vm/drop_caches 2>&1; echo rc=$?',
    );
    expect(r.out).not.toMatch(/rc=0/);
  });

  it('has its own pid namespace', async () => {
    const r = await sh('ls /proc | grep -E "^[0-9]+$" | wc -l');
    expect(Number(r.out.trim())).toBeLessThan(10);
  });

  it('archives through the sandbox: symlinks to host paths cannot reach host files', async () => {
    expect(existsSync('/etc/hostname')).toBe(true);
    expect((await sh('ln -sf /etc/hostname /workspace/leak && ln -sfn /etc /workspace/etc-link')).code).toBe(0);
    // Archiving a symlink stores the link, never the target's content.
    const entries: Array<{ name: string; type?: string | null }> = [];
    const extract = tar.extract();
    const done = (async () => {
      for await (const entry of extract) {
        entries.push({ name: entry.header.name, type: entry.header.type });
        entry.resume();
      }
    })();
    (await runtime.getArchive(id, '/workspace/leak')).pipe(extract);
    await done;
    expect(entries).toEqual([{ name: 'leak', type: 'symlink' }]);
    // Through the link, paths resolve in the sandbox, where /etc/hostname does not exist.
    await expect(runtime.getArchive(id, '/workspace/etc-link/hostname')).rejects.toMatchObject({ code: 'not_found' });
    // Extracting "into" a link to /etc lands in the sandbox's read-only /etc, never the host's.
    const name = `evil-${randomBytes(4).toString('hex')}.txt`;
    const p = tar.pack();
    p.entry({ name }, 'x');
    p.finalize();
    await expect(runtime.putArchive(id, '/workspace/etc-link', Readable.from(p))).rejects.toThrow(/tar/);
    expect(existsSync(`/etc/${name}`)).toBe(false);
  });

  it('runs as an unprivileged host uid and cannot write /proc/sys', async () => {
    const r = await sh('cat /proc/self/uid_map; id -u; echo 1 > /proc/sys/kernel/panic; echo rc=$?');
    expect(r.out).toMatch(/rc=[1-9]/);
    expect(r.out.trim().split('\n')[1]).toBe(process.getuid?.() === 0 ? '65534' : '0');
    const hostStat = await import('node:fs/promises').then((fs) => fs.stat(join(dataDir, id, 'workspace', 'f.txt')));
    if (process.getuid?.() === 0) expect(hostStat.uid).toBe(65534);
  });

  it("applies per-process rlimits (memory is the cgroup's)", async () => {
    const limited = await runtime.create(spec({ resources: { memoryMb: 2048 } }));
    try {
      const r = await collectOutput(
        await runtime.exec(limited.id, { argv: ['sh', '-c', 'ulimit -n; ulimit -c; ulimit -f'] }),
        {
          maxOutputBytes: 4096,
        },
      );
      expect(r.stdout.toString().trim().split('\n')).toEqual(['8192', '0', String(8 * 1024 * 1024 * 2)]);
    } finally {
      await runtime.destroy(limited.id);
    }
  });

  it('rejects crafted ids', async () => {
    await expect(runtime.create(spec({ id: '../../etc' }))).rejects.toMatchObject({ code: 'invalid_argument' });
    await expect(runtime.create(spec({ id: '..' }))).rejects.toMatchObject({ code: 'invalid_argument' });
    await expect(runtime.create(spec({ id: 'a/b' }))).rejects.toMatchObject({ code: 'invalid_argument' });
    expect(await runtime.get('../../etc')).toBeUndefined();
    await expect(runtime.exec('../' + id, { argv: ['true'] })).rejects.toMatchObject({ code: 'not_found' });
    await runtime.destroy('..');
    expect(await runtime.get(id)).toBeDefined();
  });

  it('restarts a dead holder lazily', async () => {
    const meta = JSON.parse((await import('node:fs')).readFileSync(join(dataDir, id, 'meta.json'), 'utf8')) as {
      holder: { pid: number; childPid: number };
    };
    process.kill(-meta.holder.pid, 'SIGKILL');
    process.kill(meta.holder.childPid, 'SIGKILL');
    // SIGKILL lands asynchronously: wait (with a deadline) until the holder is really gone.
    const deadline = Date.now() + 5000;
    while (
      existsSync(`/proc/${meta.holder.childPid}/cmdline`) &&
      readFileSync(`/proc/${meta.holder.childPid}/cmdline`).length > 0
    ) {
      if (Date.now() > deadline) throw new Error('holder did not die');
      await new Promise((r) => setTimeout(r, 5));
    }
    expect((await runtime.get(id))?.status).toBe('stopped');
    const r = await sh('echo back');
    expect(r.out).toBe('back\n');
    const after = JSON.parse((await import('node:fs')).readFileSync(join(dataDir, id, 'meta.json'), 'utf8')) as {
      holder: { childPid: number };
    };
    expect(after.holder.childPid).not.toBe(meta.holder.childPid);
    expect((await runtime.get(id))?.status).toBe('running');
  });
});

describe('LocalRuntime with network host', () => {
  it('shares the host network and connects over plain loopback', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'sbx-local-net-'));
    const runtime = new LocalRuntime({ dataDir, isolation: 'bwrap', network: 'host' }, quiet);
    const server = createServer((s) => s.end('hello from host'));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const info = await runtime.create(spec());
      const r = await collectOutput(await runtime.exec(info.id, { argv: ['cat', '/proc/net/dev'] }), {
        maxOutputBytes: 65536,
      });
      const names = (text: string): string[] =>
        text
          .split('\n')
          .slice(2)
          .map((l) => l.split(':')[0]!.trim())
          .filter(Boolean)
          .sort();
      expect(names(r.stdout.toString())).toEqual(names(readFileSync('/proc/net/dev', 'utf8')));
      const socket = await runtime.connect(info.id, (server.address() as AddressInfo).port);
      const chunks: Buffer[] = [];
      for await (const c of socket) chunks.push(c as Buffer);
      expect(Buffer.concat(chunks).toString()).toBe('hello from host');
      await runtime.destroy(info.id);
    } finally {
      server.close();
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});

describe('LocalRuntime without bubblewrap', () => {
  it('fails create with UnavailableError naming the fix', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'sbx-local-nobwrap-'));
    try {
      const runtime = new LocalRuntime(
        { dataDir, isolation: 'bwrap', network: 'none', bwrapPath: '/nonexistent/bwrap' },
        quiet,
      );
      const err = await runtime.create(spec()).then(
        () => undefined,
        (e: unknown) => e as { code: string; message: string },
      );
      expect(err?.code).toBe('unavailable');
      expect(err?.message).toMatch(/bubblewrap is not installed/);
      expect(err?.message).toMatch(/apt-get install bubblewrap/);
      expect(err?.message).toMatch(/isolation: none/);
      expect((await readdir(dataDir)).filter((n) => !n.startsWith('.'))).toEqual([]);
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});

describe('LocalRuntime with isolation none', () => {
  it('warns at construction and runs in the host workspace dir', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'sbx-local-none-'));
    const warnings: string[] = [];
    try {
      const runtime = new LocalRuntime(
        { dataDir, isolation: 'none', network: 'none' },
        { warn: (m) => warnings.push(m) },
      );
      expect(warnings.join()).toMatch(/isolation is "none"/);
      const info = await runtime.create(spec());
      expect(info.workdir).toBe(join(dataDir, info.id, 'workspace'));
      const r = await collectOutput(await runtime.exec(info.id, { argv: ['pwd'] }), { maxOutputBytes: 4096 });
      expect(r.stdout.toString().trim()).toBe(info.workdir);
      await runtime.destroy(info.id);
      expect((await readdir(dataDir)).filter((n) => !n.startsWith('.'))).toEqual([]);
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
