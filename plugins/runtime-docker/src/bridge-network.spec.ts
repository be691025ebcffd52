import { describe, expect, it } from '@jest/globals';
import type Docker from 'dockerode';
import { BRIDGE_INTERFACE, BRIDGE_NETWORK, ensureBridgeNetwork } from './bridge-network.js';
import { DockerRuntime } from './docker.runtime.js';
import { resolveDockerRuntimeOptions } from './docker-runtime-options.dto.js';
import { quietLogger, sandboxSpec } from './docker-engine.spec-helper.js';

const direct = <T>(work: Promise<T>): Promise<T> => work;
const notFound = Object.assign(new Error('no such network'), { statusCode: 404 });

/** A fake engine holding at most one network. */
function engine(existing?: { Driver: string; Options: Record<string, string> }) {
  const created: unknown[] = [];
  let network = existing;
  const docker = {
    getNetwork: () => ({ inspect: async () => (network ? network : Promise.reject(notFound)) }),
    createNetwork: async (opts: { Driver: string; Options: Record<string, string> }) => {
      created.push(opts);
      network = { Driver: opts.Driver, Options: opts.Options };
    },
  } as unknown as Docker;
  return { docker, created };
}

describe('bridged sandboxes network (issue 8, item 11)', () => {
  it('is created once, as a bridge without inter-container traffic on a fixed interface', async () => {
    const { docker, created } = engine();
    await ensureBridgeNetwork(docker, direct);
    await ensureBridgeNetwork(docker, direct);
    expect(created).toEqual([
      expect.objectContaining({
        Name: BRIDGE_NETWORK,
        Driver: 'bridge',
        CheckDuplicate: true,
        Options: {
          'com.docker.network.bridge.enable_icc': 'false',
          'com.docker.network.bridge.name': BRIDGE_INTERFACE,
        },
      }),
    ]);
  });

  it('refuses an existing network of that name that lets containers talk to each other', async () => {
    const { docker } = engine({ Driver: 'bridge', Options: {} });
    await expect(ensureBridgeNetwork(docker, direct)).rejects.toMatchObject({
      code: 'unavailable',
      message: expect.stringContaining(`docker network rm ${BRIDGE_NETWORK}`),
    });
  });

  it('is refused at create when the options do not allow bridge', async () => {
    const options = resolveDockerRuntimeOptions({});
    options.templates.web = { image: 'acme/web:1', network: 'bridge', env: {} };
    const runtime = new DockerRuntime(options, quietLogger, { docker: engine().docker, endpoint: 'fake' });
    await expect(runtime.create(sandboxSpec({ template: 'web' }))).rejects.toMatchObject({
      code: 'unavailable',
      message: expect.stringContaining('allowUnrestrictedBridge: true'),
    });
  });
});
