import type Docker from 'dockerode';
import { UnavailableError } from '@sandboxed/plugin-sdk';
import { statusOf } from './docker-error.mapper.js';

/** The network every bridged sandbox joins: a bridge on which containers cannot reach each other. */
export const BRIDGE_NETWORK = 'sandboxed-bridge';
/** Its host interface, fixed so host egress rules can name it (docs/docker.md). */
export const BRIDGE_INTERFACE = 'sbx-bridge0';

const ICC = 'com.docker.network.bridge.enable_icc';

type Call = <T>(work: Promise<T>, what: string) => Promise<T>;

interface NetworkInfo {
  Driver?: string;
  Options?: Record<string, string>;
}

/** Creates the bridged sandboxes' network if missing; refuses one that lets containers talk. */
export async function ensureBridgeNetwork(docker: Docker, call: Call): Promise<void> {
  let info = await inspect(docker, call);
  if (!info) {
    try {
      await call(
        docker.createNetwork({
          Name: BRIDGE_NETWORK,
          Driver: 'bridge',
          CheckDuplicate: true,
          Labels: { 'sandboxed.network': 'bridge' },
          Options: { [ICC]: 'false', 'com.docker.network.bridge.name': BRIDGE_INTERFACE },
        }),
        'network create',
      );
    } catch (err) {
      // Another gateway created it first.
      if (statusOf(err) !== 409) throw err;
    }
    info = await inspect(docker, call);
  }
  if (!info || info.Driver !== 'bridge' || info.Options?.[ICC] !== 'false') {
    throw new UnavailableError(
      `The Docker network ${BRIDGE_NETWORK} exists but is not a bridge without inter-container traffic ` +
        `(${ICC}=false), so bridged sandboxes could reach each other. Remove it ` +
        `(docker network rm ${BRIDGE_NETWORK}); the gateway creates it again.`,
    );
  }
}

async function inspect(docker: Docker, call: Call): Promise<NetworkInfo | undefined> {
  try {
    return (await call(docker.getNetwork(BRIDGE_NETWORK).inspect(), 'network inspect')) as NetworkInfo;
  } catch (err) {
    if (statusOf(err) === 404) return undefined;
    throw err;
  }
}
