import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { HttpClient } from '@sandboxed/testing';
import { spawnGateway, type GatewayProcess } from './support/gateway.process.js';

/** Issue 9, item 1: a gateway without bubblewrap says so once at boot and in /health. */
describe('a gateway whose bubblewrap is missing', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'sandboxed-nobwrap-'));
  let gw: GatewayProcess | undefined;
  afterAll(async () => {
    await gw?.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('boots, says so once with the command that installs it, and /health is degraded with that reason', async () => {
    gw = await spawnGateway({
      overrides: {
        server: { host: '127.0.0.1', port: 0 },
        log: { level: 'warn' },
        plugins: [
          { use: 'runtime-local', options: { dataDir, bwrapPath: '/nonexistent/bwrap' } },
          'capability-shell',
          'transport-rest',
        ],
      },
    });
    const said = gw.output().match(/bubblewrap is not installed/g) ?? [];
    expect(said).toHaveLength(1);
    expect(gw.output()).toMatch(/apt-get install bubblewrap/);
    const api = new HttpClient(gw.url);
    const health = await api.get('/health');
    expect(health.body).toMatchObject({ status: 'degraded', runtime: 'local' });
    expect(health.body.reasons.join('\n')).toMatch(
      /bubblewrap is not installed \(no executable at \/nonexistent\/bwrap\)/,
    );
    const create = await api.post('/v1/sandboxes', {});
    expect(create.status).toBe(503);
    expect(create.body.error.message).toMatch(/apt-get install bubblewrap/);
  }, 90_000);
});
