import type { Readable } from 'node:stream';
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { collectOutput, type ExecRequest, type SandboxSpec } from '@sandboxed/plugin-sdk';
import { createDockerClient } from './docker-client.factory.js';
import { DockerRuntime } from './docker.runtime.js';
import { resolveDockerRuntimeOptions } from './docker-runtime-options.dto.js';
import { containerName } from './sandbox-labels.codec.js';
import { TMPFS_DIRS } from './disk-limit.js';
import { waitFor } from '@sandboxed/testing';
import { describeWithDocker, dockerUnavailableReason, quietLogger, sandboxSpec } from './docker-engine.spec-helper.js';

const reason = await dockerUnavailableReason();
const SLOW = 60_000;

describeWithDocker('DockerRuntime hardening', reason, () => {
  const runtime = new DockerRuntime(resolveDockerRuntimeOptions({}), quietLogger);
  const { docker } = createDockerClient();
  const created: string[] = [];
  let id: string;

  async function create(overrides: Partial<SandboxSpec> = {}): Promise<string> {
    const spec = sandboxSpec({ owner: 'security-spec', ...overrides });
    created.push(spec.id);
    await runtime.create(spec);
    return spec.id;
  }

  async function run(req: ExecRequest, sandbox = id) {
    const r = await collectOutput(await runtime.exec(sandbox, req), { maxOutputBytes: 1 << 20 });
    return { out: r.stdout.toString(), err: r.stderr.toString(), exit: r.exit };
  }

  const sh = (script: string, extra: Partial<ExecRequest> = {}, sandbox = id) =>
    run({ argv: ['sh', '-c', script], ...extra }, sandbox);

  beforeAll(async () => {
    id = await create();
  }, SLOW);

  afterAll(async () => {
    for (const s of created) await runtime.destroy(s).catch(() => undefined);
  }, SLOW);

  it('has no capabilities and no_new_privs', async () => {
    const r = await sh('grep -E "^(CapEff|CapPrm|CapBnd|NoNewPrivs):" /proc/self/status');
    expect(r.out).toMatch(/^CapEff:\s+0000000000000000$/m);
    expect(r.out).toMatch(/^CapPrm:\s+0000000000000000$/m);
    expect(r.out).toMatch(/^CapBnd:\s+0000000000000000$/m);
    expect(r.out).toMatch(/^NoNewPrivs:\s+1$/m);
  });

  it('runs as uid 1000 with no network but loopback', async () => {
    expect((await sh('id -u; id -g')).out).toBe('1000\n1000\n');
    const ifaces = (await sh("tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d ' '")).out.trim().split('\n');
    expect(ifaces).toEqual(['lo']);
  });

  /** The only mounts: the sandbox's own tmpfs volumes that bound its disk (this engine has no quota). */
  async function expectOnlyDiskVolumes(mounts: Array<{ Type?: string; Name?: string; Destination?: string }>) {
    expect(mounts.map((m) => [m.Type, m.Destination]).sort()).toEqual(TMPFS_DIRS.map((d) => ['volume', d.path]).sort());
    for (const m of mounts) {
      const volume = await docker.getVolume(m.Name!).inspect();
      expect(volume).toMatchObject({ Driver: 'local', Options: { type: 'tmpfs', device: 'tmpfs' } });
    }
  }

  it('sees no docker socket and no host mounts', async () => {
    expect((await sh('test ! -e /var/run/docker.sock && test ! -e /run/docker.sock')).exit.exitCode).toBe(0);
    const info = await docker.getContainer(containerName(id)).inspect();
    await expectOnlyDiskVolumes(info.Mounts);
    expect(info.HostConfig).toMatchObject({
      Privileged: false,
      CapDrop: ['ALL'],
      SecurityOpt: ['no-new-privileges'],
      NetworkMode: 'none',
      PidsLimit: 256,
      ReadonlyRootfs: true,
    });
    expect(info.HostConfig.Binds ?? []).toEqual([]);
    expect(info.Config.User).toBe('1000:1000');
  });

  it('ignores anything a request smuggles in beyond the spec', async () => {
    const smuggled = {
      ...sandboxSpec({ owner: 'security-spec' }),
      privileged: true,
      binds: ['/:/host'],
      HostConfig: { Privileged: true, Binds: ['/:/host'], NetworkMode: 'host', CapAdd: ['SYS_ADMIN'] },
      network: 'host',
    } as SandboxSpec;
    created.push(smuggled.id);
    await runtime.create(smuggled);
    const info = await docker.getContainer(containerName(smuggled.id)).inspect();
    expect(info.HostConfig.Privileged).toBe(false);
    expect(info.HostConfig.NetworkMode).toBe('none');
    expect(info.HostConfig.CapAdd ?? []).toEqual([]);
    await expectOnlyDiskVolumes(info.Mounts);
  });

  it('removes its disk volumes with the sandbox', async () => {
    const s = await create();
    const volumes = (await docker.getContainer(containerName(s)).inspect()).Mounts.map((m) => m.Name!);
    expect(volumes).toHaveLength(TMPFS_DIRS.length);
    await runtime.destroy(s);
    for (const name of volumes) {
      await expect(docker.getVolume(name).inspect()).rejects.toMatchObject({ statusCode: 404 });
    }
  });

  it('extracts archives as the sandbox user', async () => {
    const tar = await import('tar-stream');
    const pack = tar.pack();
    pack.entry({ name: 'deep/er/file.txt', mode: 0o4755, uid: 0, gid: 0 }, 'x');
    pack.finalize();
    await runtime.putArchive(id, '/workspace', pack as unknown as Readable);
    const r = await sh(
      'stat -c "%u:%g %a %n" deep deep/er deep/er/file.txt && echo more >> deep/er/file.txt && touch deep/er/new',
    );
    expect(r.out).toBe('1000:1000 755 deep\n1000:1000 755 deep/er\n1000:1000 755 deep/er/file.txt\n');
    expect(r.exit.exitCode).toBe(0);
  });

  it(
    'stops a fork bomb at the pids limit, kills it on timeout, and the sandbox can still be deleted',
    async () => {
      const bomb = await create({ template: 'base' });
      const container = docker.getContainer(containerName(bomb));
      // `read` (a builtin, blocked on the open stdin) keeps the exec's leader alive, so the
      // timeout (not the leader's exit) ends it.
      const session = await runtime.exec(bomb, { argv: ['bash', '-c', ':(){ :|:& };:; read -r x'], timeoutMs: 3000 });
      session.stdout.resume();
      session.stderr.resume();
      // Wait for the bomb to fill the pids limit, then check it holds.
      const during = await waitFor(
        async () => {
          const stats = await container.stats({ stream: false });
          return (stats.pids_stats?.current ?? 0) > 100 ? stats : undefined;
        },
        { timeoutMs: 10_000, what: 'the fork bomb to spawn processes' },
      );
      expect(during!.pids_stats?.current).toBeLessThanOrEqual(256);
      const started = Date.now();
      const exit = await session.wait();
      expect(exit.timedOut).toBe(true);
      expect(Date.now() - started).toBeLessThan(20_000);
      // The whole process group went with it: only init, sleep and this probe remain.
      expect((await sh('echo alive', {}, bomb)).out).toBe('alive\n');
      const after = await container.stats({ stream: false });
      expect(after.pids_stats?.current).toBeLessThan(10);

      // A bomb whose leader returns at once dies with the exec: its tracker kills what is left.
      const detached = await run({ argv: ['bash', '-c', ':(){ :|:& };:'], timeoutMs: 10_000 }, bomb);
      expect(detached.exit.timedOut).toBe(false);
      expect((await container.stats({ stream: false })).pids_stats?.current).toBeLessThan(10);
      await runtime.destroy(bomb);
      expect(await runtime.get(bomb)).toBeUndefined();
    },
    SLOW,
  );

  it(
    'OOM-kills a memory hog at the memory limit and keeps the sandbox usable',
    async () => {
      const hog = await create({ template: 'python', resources: { memoryMb: 64, cpu: 1 } });
      const info = await docker.getContainer(containerName(hog)).inspect();
      expect(info.HostConfig.Memory).toBe(64 * 1024 * 1024);
      expect(info.HostConfig.MemorySwap).toBe(64 * 1024 * 1024);
      const r = await run(
        { argv: ['python3', '-c', 'b = []\nwhile True: b.append(bytearray(8 * 1024 * 1024))'], timeoutMs: 30_000 },
        hog,
      );
      expect(r.exit.timedOut).toBe(false);
      expect(r.exit.exitCode).toBe(137);
      expect((await sh('echo alive', {}, hog)).out).toBe('alive\n');
    },
    SLOW,
  );

  it('applies cpu and memory from the spec', async () => {
    const s = await create({ resources: { cpu: 0.5, memoryMb: 128 } });
    const info = await docker.getContainer(containerName(s)).inspect();
    expect(info.HostConfig.NanoCpus).toBe(500_000_000);
    expect(info.HostConfig.Memory).toBe(128 * 1024 * 1024);
    expect(await runtime.get(s)).toMatchObject({ resources: { cpu: 0.5, memoryMb: 128 } });
  });
});
