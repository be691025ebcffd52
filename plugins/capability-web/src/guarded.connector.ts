import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { isIP, type LookupFunction } from 'node:net';
import { buildConnector } from 'undici';
import type { EgressPolicy } from './egress.policy.js';

/** dns.lookup's shape with `all: true`; tests pass their own to stand for a DNS that answers a loopback address. */
export type Resolver = (
  hostname: string,
  options: { all: true; family?: number },
  callback: (err: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void,
) => void;

/** Thrown inside the connector; the fetcher unwraps it from undici's error to answer with the policy's refusal. */
export class EgressRefusal extends Error {
  constructor(readonly refusal: Error) {
    super(refusal.message);
  }
}

/**
 * A lookup for net.connect that resolves the name, checks every address it got, and hands exactly those to
 * the socket: the address that is checked is the address that is dialled (no second resolution to rebind).
 */
function guardedLookup(policy: EgressPolicy, host: string, port: number, resolve: Resolver): LookupFunction {
  return (hostname, options, callback) => {
    resolve(
      hostname,
      { family: options.family as number | undefined, all: true },
      (err, addresses: LookupAddress[]) => {
        if (err) return callback(err, '', 0);
        try {
          for (const a of addresses) policy.check(a.address, host, port);
        } catch (refusal) {
          return callback(new EgressRefusal(refusal as Error), '', 0);
        }
        if (options.all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, addresses);
        callback(null, addresses[0].address, addresses[0].family);
      },
    );
  };
}

/**
 * An undici `connect` function that applies the egress policy at connect time: a literal IP is checked as
 * it is, a name through the guarded lookup. Nothing is dialled before the check passes.
 */
export function guardedConnector(
  policy: EgressPolicy,
  timeoutMs: number,
  resolve: Resolver = dnsLookup as Resolver,
): buildConnector.connector {
  return (opts, callback) => {
    const host = opts.hostname.replace(/^\[|\]$/g, '');
    const port = Number(opts.port) || (opts.protocol === 'https:' ? 443 : 80);
    try {
      policy.checkName(host, port);
      if (isIP(host)) policy.check(host, host, port);
    } catch (refusal) {
      callback(new EgressRefusal(refusal as Error), null);
      return;
    }
    const connect = buildConnector({ timeout: timeoutMs, lookup: guardedLookup(policy, host, port, resolve) } as never);
    connect(opts, callback);
  };
}
