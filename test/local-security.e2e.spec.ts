import { existsSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { HttpClient, startTestGateway, waitFor, type TestGateway } from '@sandboxed/testing';

/** Issue 8, items 4, 5, 6 and 12 on the local runtime, over real HTTP against real bubblewrap sandboxes. */
const V1 = existsSync('/sys/fs/cgroup/pids/cgroup.procs');
/** A sandbox cgroup file, on cgroup v1 (one hierarchy per controller) or v2. */
const cgroupFile = (controller: string, id: string, file: string): string =>
  V1 ? `/sys/fs/cgroup/${controller}/sandboxed/${id}/${file}` : `/sys/fs/cgroup/sandboxed/${id}/${file}`;
const readCgroup = (controller: string, id: string, v1File: string, v2File: string): string =>
  readFileSync(cgroupFile(controller, id, V1 ? v1File : v2File), 'utf8').trim();

/** Calls a raw syscall from inside the sandbox and prints its errno (0 = it succeeded). */
const syscallProbe = (nr: number, args: string): string =>
  `python3 -c "import ctypes,os; libc=ctypes.CDLL(None, use_errno=True); r=libc.syscall(${nr}, ${args}); print(0 if r >= 0 else ctypes.get_errno())"`;
const EPERM = '1';

describe('local runtime hardening (issue 8)', () => {
  let gw: TestGateway;
  let api: HttpClient;
  let id: string;

  const exec = async (sandbox: string, command: string, timeoutMs = 30_000) => {
    const res = await api.post(`/v1/sandboxes/${sandbox}/exec`, { command, timeoutMs });
    expect(res.status).toBe(200);
    return res.body as { stdout: string; stderr: string; exitCode: number; timedOut: boolean };
  };

  beforeAll(async () => {
    gw = await startTestGateway({ onlyPlugins: ['runtime-local', 'capability-shell', 'transport-rest'] });
    api = new HttpClient(gw.url);
    id = await api.createSandbox({ resources: { cpu: 0.5, memoryMb: 128, pids: 64, diskMb: 32 } });
  }, 60_000);
  afterAll(async () => gw?.close(), 60_000);

  describe('item 4: a cgroup per sandbox caps pids, memory and CPU', () => {
    it('reports the limits in sandbox.get and holds them in the kernel', async () => {
      const res = await api.get(`/v1/sandboxes/${id}`);
      expect(res.body.resources).toEqual({ cpu: 0.5, memoryMb: 128, pids: 64, diskMb: 32 });
      expect(readCgroup('pids', id, 'pids.max', 'pids.max')).toBe('64');
      expect(readCgroup('memory', id, 'memory.limit_in_bytes', 'memory.max')).toBe(String(128 * 1024 * 1024));
      expect(readCgroup('cpu', id, 'cpu.cfs_quota_us', 'cpu.max').split(' ')[0]).toBe('50000');
    });

    it('every exec runs inside the sandbox cgroup', async () => {
      const r = await exec(id, 'cat /proc/self/cgroup');
      expect(r.stdout).toMatch(/pids:\/($|\n)/m); // the cgroup namespace's root is the sandbox's cgroup
      const procs = readFileSync(cgroupFile('pids', id, 'cgroup.procs'), 'utf8')
        .trim()
        .split('\n');
      expect(procs.length).toBeGreaterThanOrEqual(2); // the holder's bwrap processes at least
    });

    it('a fork bomb stops at pids.max', async () => {
      const bomb = [
        'import os, signal, time',
        'kids = []',
        'for i in range(200):',
        '    try:',
        '        pid = os.fork()',
        '    except OSError:',
        '        break',
        '    if pid == 0:',
        '        time.sleep(30)',
        '        os._exit(0)',
        '    kids.append(pid)',
        'print(len(kids))',
        'for k in kids: os.kill(k, signal.SIGKILL)',
      ].join('\n');
      const r = await exec(id, `python3 -c '${bomb}'`);
      expect(r.exitCode).toBe(0);
      const forked = Number(r.stdout.trim());
      expect(forked).toBeGreaterThan(10);
      expect(forked).toBeLessThan(64);
    });

    it('memory past memoryMb kills the allocation, not the host', async () => {
      const r = await exec(id, `python3 -c "b = bytearray(400 * 1024 * 1024); print('allocated')"`);
      expect(r.stdout).not.toMatch(/allocated/);
      expect(r.exitCode).not.toBe(0);
    });

    it('destroy kills everything in the cgroup, setsid escapees included, and removes it', async () => {
      const other = await api.createSandbox();
      await exec(other, 'setsid sleep 1000 >/dev/null 2>&1 < /dev/null & echo started');
      const procs = cgroupFile('pids', other, 'cgroup.procs');
      const pids = readFileSync(procs, 'utf8').trim().split('\n').map(Number);
      expect(pids.length).toBeGreaterThan(2);
      expect((await api.delete(`/v1/sandboxes/${other}`)).status).toBe(204);
      expect(existsSync(procs)).toBe(false);
      // Gone, or a zombie its (host-side) parent has yet to reap: nothing runs.
      const running = (pid: number): boolean => {
        try {
          return !/\) Z /.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
        } catch {
          return false;
        }
      };
      for (const pid of pids) expect(running(pid)).toBe(false);
    });
  });

  describe('item 5: no nested user namespaces, and a seccomp filter', () => {
    it('runs with seccomp filter mode and no capabilities', async () => {
      const r = await exec(id, 'grep -E "^(Seccomp|CapEff|CapBnd|NoNewPrivs):" /proc/self/status');
      expect(r.stdout).toMatch(/Seccomp:\s+2/);
      expect(r.stdout).toMatch(/CapEff:\s+0+\n/);
      expect(r.stdout).toMatch(/CapBnd:\s+0+\n/);
      expect(r.stdout).toMatch(/NoNewPrivs:\s+1/);
    });

    it('unshare -Urm cannot make a user namespace', async () => {
      const r = await exec(id, 'unshare -Urm sh -c "mount -t tmpfs none /mnt && echo mounted"; echo rc=$?');
      expect(r.stdout).not.toMatch(/mounted/);
      expect(r.stdout).toMatch(/rc=[1-9]/);
    });

    it('mount is refused', async () => {
      const r = await exec(id, 'mount -t tmpfs none /tmp 2>&1; echo rc=$?');
      expect(r.stdout).toMatch(/rc=[1-9]/);
      expect((await exec(id, syscallProbe(165, '0, 0, 0, 0, 0'))).stdout.trim()).toBe(EPERM);
    });

    it.each([
      ['keyctl', 250, '0, 0, 0, 0, 0'],
      ['add_key', 248, '0, 0, 0, 0, 0'],
      ['bpf', 321, '0, 0, 0'],
      ['perf_event_open', 298, '0, 0, -1, -1, 0'],
      ['userfaultfd', 323, '0'],
      ['unshare(CLONE_NEWUSER)', 272, '0x10000000'],
      ['setns', 308, '0, 0'],
      ['kexec_load', 246, '0, 0, 0, 0'],
      ['init_module', 175, '0, 0, 0'],
      ['open_by_handle_at', 304, '0, 0, 0'],
    ])('%s is refused with EPERM', async (_name, nr, args) => {
      expect((await exec(id, syscallProbe(nr as number, args as string))).stdout.trim()).toBe(EPERM);
    });

    it('ptrace of another sandbox process is refused', async () => {
      const probe =
        'sleep 30 & victim=$!; ' +
        `python3 -c "import ctypes; libc=ctypes.CDLL(None, use_errno=True); r=libc.ptrace(16, $victim, 0, 0); print(0 if r == 0 else ctypes.get_errno())"; ` +
        'kill $victim';
      expect((await exec(id, probe)).stdout.trim()).toBe(EPERM);
    });

    it('ordinary work still runs: threads, fork, pipes, python, sh', async () => {
      const r = await exec(
        id,
        `python3 -c "import threading, subprocess; t = threading.Thread(target=lambda: None); t.start(); t.join(); print(subprocess.run(['echo', 'ok'], capture_output=True, text=True).stdout.strip())" | cat`,
      );
      expect(r.stdout.trim()).toBe('ok');
    });
  });

  describe('item 6: /tmp and the workspace are bounded by resources.diskMb', () => {
    it('writing past the limit in /workspace fails with ENOSPC, and the workspace starts empty', async () => {
      expect((await exec(id, 'ls -A /workspace')).stdout).toBe('');
      const r = await exec(
        id,
        'dd if=/dev/zero of=/workspace/fill bs=1M count=64 2>&1; echo rc=$?; rm -f /workspace/fill',
      );
      expect(r.stdout).toMatch(/No space left on device/);
      expect(r.stdout).toMatch(/rc=1/);
      expect((await exec(id, 'df -m /workspace | tail -1')).stdout).toMatch(/\s3\d\s/);
    });

    it('the volume is gone after DELETE', async () => {
      const other = await api.createSandbox({ resources: { diskMb: 16 } });
      const mountPoint = `${gw.dataDir}/${other}/workspace`;
      const mounted = (): boolean => readFileSync('/proc/self/mountinfo', 'utf8').includes(` ${mountPoint} `);
      expect(mounted()).toBe(true);
      expect((await api.delete(`/v1/sandboxes/${other}`)).status).toBe(204);
      expect(mounted()).toBe(false);
      expect(existsSync(`${gw.dataDir}/${other}`)).toBe(false);
    });

    it('writing past the limit in /tmp fails with ENOSPC', async () => {
      const r = await exec(id, 'dd if=/dev/zero of=/tmp/fill bs=1M count=64 2>&1; echo rc=$?; rm -f /tmp/fill');
      expect(r.stdout).toMatch(/No space left on device/);
      expect(r.stdout).toMatch(/rc=1/);
    });
  });

  describe('item 10: nothing an exec started outlives it (the same rule as on docker)', () => {
    const countSleeps = (...seconds: number[]): string =>
      `for p in /proc/[0-9]*; do tr "\\0" " " <"$p/cmdline" 2>/dev/null; echo; done | grep -cxE 'sleep (${seconds.join('|')}) ' || true`;

    it('a timeout kills every descendant, including setsid and double-forked ones', async () => {
      const r = await api.post(`/v1/sandboxes/${id}/exec`, {
        command:
          'setsid sleep 1001 & setsid sleep 1002 </dev/null >/dev/null 2>&1 & ' +
          '(env -i setsid sleep 1003 </dev/null >/dev/null 2>&1 &); sleep 1004',
        timeoutMs: 1500,
      });
      expect(r.body.timedOut).toBe(true);
      expect((await exec(id, countSleeps(1001, 1002, 1003, 1004))).stdout).toBe('0\n');
    });

    it('the reaper inside the sandbox shows a name, not the helper arguments (host paths, the environment)', async () => {
      const res = await api.post(`/v1/sandboxes/${id}/exec`, {
        command: 'for p in /proc/[0-9]*; do tr "\\0" " " <"$p/cmdline" 2>/dev/null; echo; done',
        env: { CANARY_VALUE: 'canary-4f1e' },
      });
      const lines: string[] = res.body.stdout.split('\n');
      expect(lines.filter((l) => l.startsWith('sandboxed-exec')).length).toBeGreaterThan(0);
      expect(res.body.stdout).not.toMatch(/canary-4f1e|--cgroup|sandbox-helper|\.helper/);
    });

    it('background jobs die when the exec exits normally, and the exec returns at once', async () => {
      const r = await exec(
        id,
        'sleep 1011 & setsid sleep 1012 </dev/null >/dev/null 2>&1 & ' +
          '(env -i setsid sleep 1013 </dev/null >/dev/null 2>&1 &); echo done',
      );
      expect(r).toMatchObject({ stdout: 'done\n', exitCode: 0, timedOut: false });
      expect((await exec(id, countSleeps(1011, 1012, 1013))).stdout).toBe('0\n');
    });
  });

  describe('item 12: execs and writes racing a DELETE get 404 or 409, never 500', () => {
    it('answers 200, 404 or 409 to every racing call', async () => {
      const victim = await api.createSandbox();
      const calls = [
        ...Array.from({ length: 8 }, () => api.post(`/v1/sandboxes/${victim}/exec`, { command: 'echo hi' })),
        api.delete(`/v1/sandboxes/${victim}`),
        ...Array.from({ length: 8 }, () => api.post(`/v1/sandboxes/${victim}/exec`, { command: 'echo hi' })),
      ];
      const statuses = (await Promise.all(calls)).map((r) => r.status);
      for (const status of statuses) expect([200, 204, 404, 409]).toContain(status);
      await waitFor(async () => (await api.get(`/v1/sandboxes/${victim}`)).status === 404, {
        timeoutMs: 10_000,
        what: 'the sandbox to be gone',
      });
    });
  });
});
