import { chownSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { HttpClient } from '@sandboxed/testing';
import { spawnGateway, type GatewayProcess } from './support/gateway.process.js';

/**
 * Issue 8, item 4: a gateway that cannot manage cgroups (here: one not running as root) says so at
 * boot and in /health, and refuses creates unless config accepts best effort. The unprivileged
 * path of the sandbox helper (no uid drop, the user namespace owned by the gateway's uid) runs too.
 */
const NOBODY = { uid: 65534, gid: 65534 };

describe.each([
  ['enforce', false],
  ['best-effort', true],
])('an unprivileged gateway with resourceLimits: %s', (resourceLimits, creates) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'sandboxed-unprivileged-'));
  chownSync(dataDir, NOBODY.uid, NOBODY.gid);
  let gw: GatewayProcess | undefined;
  let api: HttpClient;

  afterAll(async () => {
    await gw?.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('boots, and says at boot and in /health that sandboxes get no cgroup limits', async () => {
    gw = await spawnGateway(
      {
        overrides: {
          server: { host: '127.0.0.1', port: 0 },
          log: { level: 'warn' },
          plugins: [
            { use: 'runtime-local', options: { dataDir, resourceLimits } },
            'capability-shell',
            'transport-rest',
          ],
        },
      },
      60_000,
      NOBODY,
    );
    api = new HttpClient(gw.url);
    expect(gw.output()).toMatch(/sandboxes get no cgroup .*the gateway is not root/);
    const health = await api.get('/health');
    expect(health.status).toBe(200);
    expect(health.body.status).toBe('degraded');
    expect(health.body.reasons.join('\n')).toMatch(/no cgroup limits: the gateway is not root/);
  }, 90_000);

  it(
    creates ? 'creates sandboxes with rlimits only' : 'refuses creates with a message that says what to change',
    async () => {
      const res = await api.post('/v1/sandboxes', {});
      if (!creates) {
        expect(res.status).toBe(503);
        expect(res.body.error.message).toMatch(/cannot enforce .*resourceLimits: best-effort/);
        return;
      }
      expect(res.status).toBe(201);
      const exec = await api.post(`/v1/sandboxes/${res.body.id}/exec`, {
        command:
          'grep -E "^(Seccomp|CapEff):" /proc/self/status; unshare -Ur true 2>/dev/null && echo nested; ulimit -d',
      });
      expect(exec.body.stdout).toMatch(/Seccomp:\s+2/);
      expect(exec.body.stdout).toMatch(/CapEff:\s+0+\n/);
      expect(exec.body.stdout).not.toMatch(/nested/);
      expect(exec.body.stdout.trim().split('\n').at(-1)).toBe(String(1024 * 1024)); // RLIMIT_DATA floor, in KiB
      expect((await api.delete(`/v1/sandboxes/${res.body.id}`)).status).toBe(204);
    },
  );
});
