import { chmodSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { closeMcp, connectMcpHttp, HttpClient, startTestGateway, type TestGateway } from '@sandboxed/testing';

/**
 * Issue 8, item 1: a caller's environment must never reach a process that runs with more
 * privilege than the sandbox user. A real shared object, compiled inside the sandbox, writes a
 * marker from its constructor: into a host-only directory (which must stay empty) and into
 * the workspace, with the uid it ran as (which must be the sandbox's).
 */
const EVIL_C = String.raw`
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>
static void mark(const char *path) {
  int fd = open(path, O_WRONLY | O_CREAT | O_APPEND, 0666);
  if (fd >= 0) { dprintf(fd, "uid=%d euid=%d\n", (int)getuid(), (int)geteuid()); close(fd); }
}
__attribute__((constructor)) static void ctor(void) {
  mark("/workspace/ctor.log");
  mark(HOST_MARKER);
}
unsigned int la_version(unsigned int v) { return v; }
int gconv_init(void *step) { (void)step; return 0; }
int gconv(void) { return 0; }
`;

/** Every mechanism, pointed at the workspace both as the sandbox sees it and as the host does. */
function hostileEnv(hostWs: string): Array<[string, Record<string, string>]> {
  const both = (rel: string): string => `/workspace/${rel}:${hostWs}/${rel}`;
  return [
    ['LD_PRELOAD', { LD_PRELOAD: both('evil.so') }],
    ['LD_AUDIT', { LD_AUDIT: both('evil.so') }],
    ['LD_LIBRARY_PATH', { LD_LIBRARY_PATH: both('lib') }],
    ['GCONV_PATH', { GCONV_PATH: both('gconv') }],
    ['BASH_ENV', { BASH_ENV: '/workspace/evil.sh' }],
    ['ENV', { ENV: `${hostWs}/evil.sh` }],
    ['PATH', { PATH: `/workspace/bin:${hostWs}/bin:/usr/bin:/bin` }],
  ];
}

/** The mechanisms that must demonstrably fire in the final program (so the test is not vacuous). */
const REACHES_FINAL_PROGRAM = new Set(['LD_PRELOAD', 'LD_AUDIT', 'BASH_ENV', 'PATH']);

// Runs each mechanism's trigger as the final program: bash (BASH_ENV), sh -i (ENV), iconv
// (GCONV_PATH), prlimit and setpriv (libraries in LD_LIBRARY_PATH), plain names (PATH).
const TRIGGER =
  // bash reads BASH_ENV only when stdin is not a socket (else it assumes rshd and reads ~/.bashrc).
  'bash -c true </dev/null; sh -i -c true </dev/null 2>/dev/null; iconv -f EVIL -t UTF-8 </dev/null 2>/dev/null; ' +
  'prlimit --version >/dev/null 2>&1; setpriv --version >/dev/null 2>&1; nsenter --version >/dev/null 2>&1; ' +
  'env true; true';

describe('local runtime: a caller environment cannot reach a privileged helper (issue 8.1)', () => {
  let gw: TestGateway;
  let api: HttpClient;
  let hostDir: string;
  let id: string;
  let hostWs: string;
  let sandboxUid: string;

  const exec = async (sandbox: string, command: string, env?: Record<string, string>) => {
    const res = await api.post(`/v1/sandboxes/${sandbox}/exec`, {
      command,
      ...(env ? { env } : {}),
      timeoutMs: 60_000,
    });
    expect(res.status).toBe(200);
    return res.body as { stdout: string; stderr: string; exitCode: number };
  };
  const ctorLog = async (sandbox: string): Promise<string[]> =>
    (await exec(sandbox, 'cat /workspace/ctor.log 2>/dev/null; true')).stdout.split('\n').filter(Boolean);
  const expectNoHostMarker = (): void => expect(readdirSync(hostDir)).toEqual([]);

  /** Builds evil.so, the library, gconv and PATH decoys in a sandbox's workspace. */
  const arm = async (sandbox: string): Promise<string> => {
    // The workspace's host path (an attacker learns or guesses it: the data dir's layout is public).
    const ws = join(gw.dataDir, sandbox, 'workspace');
    const decoy = `#!/bin/sh\necho "uid=$(id -u) euid=$(id -u)" >> /workspace/ctor.log\necho hit > ${hostDir}/marker-script\n`;
    const script = [
      `cat > /workspace/evil.c <<'EOF'\n${EVIL_C}\nEOF`,
      `gcc -shared -fPIC -DHOST_MARKER='"${hostDir}/marker-so"' -o /workspace/evil.so /workspace/evil.c`,
      'mkdir -p /workspace/lib /workspace/gconv /workspace/bin',
      'for l in libselinux.so.1 libsmartcols.so.1 libcap-ng.so.0 libpcre2-8.so.0; do cp /workspace/evil.so /workspace/lib/$l; done',
      'cp /workspace/evil.so /workspace/gconv/EVIL.so',
      `printf 'module EVIL// INTERNAL EVIL 1\\nmodule INTERNAL EVIL// EVIL 1\\n' > /workspace/gconv/gconv-modules`,
      `cat > /workspace/evil.sh <<'EOF'\n${decoy}EOF`,
      'for b in nsenter prlimit setpriv env sh bash script stty cat tar iconv; do cp /workspace/evil.sh /workspace/bin/$b; done',
      'chmod +x /workspace/evil.sh /workspace/bin/*',
      'rm -f /workspace/ctor.log',
    ].join('\n');
    const built = await exec(sandbox, script);
    expect(built).toMatchObject({ exitCode: 0 });
    return ws;
  };

  beforeAll(async () => {
    hostDir = mkdtempSync(join(tmpdir(), 'sandboxed-escape-'));
    chmodSync(hostDir, 0o777); // any uid that reached the host could write here
    gw = await startTestGateway({
      onlyPlugins: ['runtime-local', 'capability-shell', 'transport-rest', 'transport-mcp'],
    });
    api = new HttpClient(gw.url);
    id = await api.createSandbox();
    hostWs = await arm(id);
    sandboxUid = (await exec(id, 'id -u')).stdout.trim();
    expect(sandboxUid).not.toBe('0');
  }, 120_000);

  afterAll(async () => {
    await gw?.close();
    rmSync(hostDir, { recursive: true, force: true });
  }, 60_000);

  it('the shared object really runs, as the sandbox uid, when the sandbox itself preloads it', async () => {
    await exec(id, 'LD_PRELOAD=/workspace/evil.so /bin/true');
    expect(await ctorLog(id)).toEqual([`uid=${sandboxUid} euid=${sandboxUid}`]);
    await exec(id, 'rm -f /workspace/ctor.log');
  });

  it.each(hostileEnv('HOST_WS'))(
    'exec env %s reaches only the final program, as the sandbox uid',
    async (name, env) => {
      const resolved = Object.fromEntries(Object.entries(env).map(([k, v]) => [k, v.replaceAll('HOST_WS', hostWs)]));
      await exec(id, TRIGGER, resolved);
      expectNoHostMarker();
      const lines = await ctorLog(id);
      if (REACHES_FINAL_PROGRAM.has(name)) expect(lines.length).toBeGreaterThan(0);
      for (const line of lines) expect(line).toBe(`uid=${sandboxUid} euid=${sandboxUid}`);
      await exec(id, 'rm -f /workspace/ctor.log');
    },
  );

  it.each(hostileEnv('HOST_WS'))(
    'create env %s reaches only the final program, as the sandbox uid',
    async (_name, env) => {
      // The env names the decoys of an armed sandbox by host path, and the new sandbox's own by /workspace.
      const armed = await api.createSandbox();
      const ws = await arm(armed);
      const resolved = Object.fromEntries(Object.entries(env).map(([k, v]) => [k, v.replaceAll('HOST_WS', ws)]));
      const res = await api.post('/v1/sandboxes', { env: resolved });
      expect(res.status).toBe(201);
      const hostile = (res.body as { id: string }).id;
      try {
        await arm(hostile);
        await exec(hostile, TRIGGER);
        expectNoHostMarker();
        for (const line of await ctorLog(hostile)) expect(line).toBe(`uid=${sandboxUid} euid=${sandboxUid}`);
      } finally {
        await api.delete(`/v1/sandboxes/${hostile}`);
        await api.delete(`/v1/sandboxes/${armed}`);
      }
    },
  );

  it('over MCP too: shell_exec with LD_PRELOAD leaves no marker on the host', async () => {
    const mcp = await connectMcpHttp(gw.url, 'streamable');
    try {
      const result = await mcp.callTool({
        name: 'shell_exec',
        arguments: { sandbox_id: id, command: TRIGGER, env: { LD_PRELOAD: `/workspace/evil.so:${hostWs}/evil.so` } },
      });
      expect(result.isError).toBeFalsy();
      expectNoHostMarker();
      const lines = await ctorLog(id);
      expect(lines.length).toBeGreaterThan(0);
      for (const line of lines) expect(line).toBe(`uid=${sandboxUid} euid=${sandboxUid}`);
    } finally {
      await closeMcp(mcp);
    }
  });
});
