import { afterAll, describe, expect, it } from '@jest/globals';
import { HttpClient } from '@sandboxed/testing';
import { spawnGateway, type GatewayProcess } from './support/gateway.process.js';

/** Issue 9, item 2: a shell that has the CLI's variables exported still boots the gateway. */
describe('the gateway with SANDBOXED_URL and SANDBOXED_TOKEN in its environment', () => {
  let gw: GatewayProcess | undefined;
  afterAll(async () => gw?.kill('SIGKILL'));

  it('boots from the real entry point and serves', async () => {
    gw = await spawnGateway({
      env: {
        SANDBOXED_URL: 'http://127.0.0.1:8080',
        SANDBOXED_TOKEN: 'sk_some_client_token',
        SANDBOXED_PLUGINS: '[runtime-local, capability-shell, transport-rest]',
      },
    });
    const health = await new HttpClient(gw.url).get('/health');
    expect(health.status).toBe(200);
    expect(gw.output()).not.toMatch(/unknown key/);
  }, 90_000);
});
