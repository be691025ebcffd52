import ipaddr from 'ipaddr.js';

type Entry =
  | { kind: 'cidr'; range: [ipaddr.IPv4 | ipaddr.IPv6, number]; port?: number; text: string }
  | { kind: 'host'; host: string; port?: number; text: string };

const HOST = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/;

function parsePort(text: string, raw: string): number {
  const port = Number(text);
  if (!/^\d{1,5}$/.test(text) || port < 1 || port > 65535) throw new Error(`"${raw}": the port must be 1-65535`);
  return port;
}

/** Parses one `allowPrivileged` entry: a CIDR, an IP (`[v6]` with a port), or a host name, each optionally `:port`. */
function parseEntry(raw: string): Entry {
  const text = raw.trim().toLowerCase();
  let addr = text;
  let port: number | undefined;
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(text);
  if (bracketed) {
    addr = bracketed[1];
    if (bracketed[2] !== undefined) port = parsePort(bracketed[2], raw);
  } else if (text.split(':').length === 2) {
    const [a, p] = text.split(':');
    addr = a;
    port = parsePort(p, raw);
  }
  if (ipaddr.isValidCIDR(addr)) return { kind: 'cidr', range: ipaddr.parseCIDR(addr), port, text };
  if (ipaddr.IPv4.isValidFourPartDecimal(addr) || (addr.includes(':') && ipaddr.IPv6.isValid(addr))) {
    const ip = ipaddr.parse(addr);
    return { kind: 'cidr', range: [ip, ip.kind() === 'ipv4' ? 32 : 128], port, text };
  }
  const host = addr.replace(/\.$/, '');
  if (HOST.test(host) && !/^[\d.]+$/.test(host)) return { kind: 'host', host, port, text };
  throw new Error(
    `"${raw}": not a CIDR (10.1.2.0/24), an IP (10.1.2.3, [fd00::1]:8080) or a host name (wiki.internal:8443)`,
  );
}

/**
 * The operator's `allowPrivileged` list: destinations web.fetch may reach although their address is
 * loopback, private, link-local, ... An entry with a port opens that port only.
 */
export class EgressAllowlist {
  private readonly entries: Entry[];

  constructor(raw: readonly string[] = []) {
    this.entries = raw.map((entry, i) => {
      try {
        return parseEntry(entry);
      } catch (err) {
        throw new Error(`options.allowPrivileged[${i}]: ${(err as Error).message}`, { cause: err });
      }
    });
  }

  /** The entry that opens `address` (dialled for `host`:`port`), if any. */
  allows(address: string, host: string, port: number): string | undefined {
    const ip = ipaddr.process(address.replace(/^\[|\]$/g, ''));
    const name = host
      .toLowerCase()
      .replace(/^\[|\]$/g, '')
      .replace(/\.$/, '');
    for (const e of this.entries) {
      if (e.port !== undefined && e.port !== port) continue;
      if (
        e.kind === 'host'
          ? e.host === name
          : ip.kind() === e.range[0].kind() && ip.match(e.range as [typeof ip, number])
      )
        return e.text;
    }
    return undefined;
  }
}
