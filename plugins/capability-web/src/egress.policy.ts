import { ForbiddenError } from '@sandboxed/plugin-sdk';
import { classifyAddress } from './address.classifier.js';
import type { EgressAllowlist } from './egress.allowlist.js';

const HOW_TO_ALLOW =
  'web.fetch only reaches public addresses; an operator can open a destination with the capability-web option allowPrivileged';

/** Decides whether web.fetch may dial an address; every refusal names the address class and how to allow it. */
export class EgressPolicy {
  constructor(private readonly allowlist: EgressAllowlist) {}

  /** Throws a ForbiddenError unless `address` (the IP about to be dialled for `host`:`port`) is public or allowlisted. */
  check(address: string, host: string, port: number): void {
    const cls = classifyAddress(address);
    if (cls === 'public' || this.allowlist.allows(address, host, port)) return;
    throw new ForbiddenError(
      `Refused to connect to ${host === address ? address : `${host} (${address})`}: a ${cls} address. ${HOW_TO_ALLOW}`,
      { host, address, port, addressClass: cls },
    );
  }

  /** Names that are loopback by definition (RFC 6761), refused before any DNS lookup unless allowlisted. */
  checkName(host: string, port: number): void {
    const name = host.toLowerCase().replace(/\.$/, '');
    if (name !== 'localhost' && !name.endsWith('.localhost')) return;
    if (this.allowlist.allows('127.0.0.1', host, port)) return;
    throw new ForbiddenError(`Refused to connect to ${host}: a loopback name. ${HOW_TO_ALLOW}`, {
      host,
      port,
      addressClass: 'loopback',
    });
  }
}
