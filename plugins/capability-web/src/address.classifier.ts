import ipaddr from 'ipaddr.js';

/** What an address is, for the egress rules: `public` may be dialled, everything else is refused by default. */
export type AddressClass =
  | 'public'
  | 'loopback'
  | 'unspecified'
  | 'private'
  | 'link-local'
  | 'metadata'
  | 'carrier-grade-nat'
  | 'multicast'
  | 'broadcast'
  | 'reserved'
  | 'documentation'
  | 'invalid';

/** Ranges ipaddr.js files under `unicast` (or lumps with others) that must still be refused, by name. */
const EXTRA_RANGES: ReadonlyArray<[cidr: string, cls: AddressClass]> = [
  ['169.254.169.254/32', 'metadata'], // AWS, GCP, Azure, OpenStack instance metadata
  ['fd00:ec2::254/128', 'metadata'], // AWS IMDS over IPv6
  ['192.0.2.0/24', 'documentation'], // TEST-NET-1
  ['198.51.100.0/24', 'documentation'], // TEST-NET-2
  ['203.0.113.0/24', 'documentation'], // TEST-NET-3
  ['2001:db8::/32', 'documentation'],
  ['3fff::/20', 'documentation'], // RFC 9637
];
const EXTRA = EXTRA_RANGES.map(([cidr, cls]) => ({ range: ipaddr.parseCIDR(cidr), cls }));

const BY_RANGE: Record<string, AddressClass> = {
  unicast: 'public',
  unspecified: 'unspecified',
  broadcast: 'broadcast',
  multicast: 'multicast',
  linkLocal: 'link-local',
  loopback: 'loopback',
  carrierGradeNat: 'carrier-grade-nat',
  private: 'private',
  uniqueLocal: 'private',
  deprecatedSiteLocal: 'private',
};

/** IPv6 ranges that carry an IPv4 address in their low 32 bits: the embedded address decides. */
const EMBEDS_IPV4 = new Set(['ipv4Mapped', 'rfc6145', 'rfc6052']);

function classOf(addr: ipaddr.IPv4 | ipaddr.IPv6): AddressClass {
  for (const { range, cls } of EXTRA) {
    if (range[0].kind() === addr.kind() && addr.match(range as [typeof addr, number])) return cls;
  }
  const range = addr.range();
  if (addr.kind() === 'ipv6' && range !== 'unspecified' && range !== 'loopback') {
    const v6 = addr as ipaddr.IPv6;
    if (EMBEDS_IPV4.has(range)) return classOf(embeddedIpv4(v6));
    // IPv4-compatible (::a.b.c.d, deprecated; some stacks still route it): never public, and named by the IPv4 inside.
    if (v6.parts.slice(0, 6).every((p) => p === 0)) {
      const inner = classOf(embeddedIpv4(v6));
      return inner === 'public' ? 'reserved' : inner;
    }
  }
  return BY_RANGE[range] ?? 'reserved';
}

function embeddedIpv4(v6: ipaddr.IPv6): ipaddr.IPv4 {
  const [hi, lo] = v6.parts.slice(6);
  return new ipaddr.IPv4([hi >> 8, hi & 0xff, lo >> 8, lo & 0xff]);
}

/**
 * Classifies a literal IP address (dotted quad or IPv6, brackets allowed). Only canonical spellings are
 * accepted: WHATWG URL parsing has already turned `0x7f.1`, `2130706433` and `0177.0.0.1` into `127.0.0.1`,
 * and anything else that is not a plain address is `invalid` (and so refused).
 */
export function classifyAddress(address: string): AddressClass {
  const bare = address.startsWith('[') && address.endsWith(']') ? address.slice(1, -1) : address;
  if (!ipaddr.IPv4.isValidFourPartDecimal(bare) && !ipaddr.IPv6.isValid(bare)) return 'invalid';
  return classOf(ipaddr.parse(bare));
}

/** True for a literal IPv4 or IPv6 address (brackets allowed), false for a host name. */
export function isIpLiteral(host: string): boolean {
  const bare = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  return ipaddr.IPv4.isValidFourPartDecimal(bare) || ipaddr.IPv6.isValid(bare);
}
