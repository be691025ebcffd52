const LOOPBACK_NAMES = new Set(['localhost', '::1']);

export function isLoopbackName(name: string): boolean {
  return LOOPBACK_NAMES.has(name) || /^127(\.\d{1,3}){3}$/.test(name) || name.endsWith('.localhost');
}

function isLoopbackAddress(address: string | undefined): boolean {
  if (!address) return false;
  return address === '::1' || /^(::ffff:)?127\./.test(address);
}

/** `[::1]:8080` → `::1`, `Example.com:80` → `example.com`. */
export function hostnameOf(host: string): string {
  const h = host.trim().toLowerCase();
  if (h.startsWith('[')) return h.slice(1, h.indexOf(']') > 0 ? h.indexOf(']') : undefined);
  const colon = h.indexOf(':');
  return colon >= 0 && colon === h.lastIndexOf(':') ? h.slice(0, colon) : h;
}

/**
 * DNS rebinding guard. Loopback names always pass, and so do `allowedHosts` (with or without port).
 * Without `allowedHosts`, a request that reached the gateway on a loopback address must name a
 * loopback host: a browser lured to `evil.example` that resolves to 127.0.0.1 sends `Host: evil.example`.
 */
export function hostAllowed(
  host: string | undefined,
  localAddress: string | undefined,
  allowedHosts: readonly string[],
): boolean {
  if (!host) return false;
  const name = hostnameOf(host);
  if (isLoopbackName(name)) return true;
  const lower = host.trim().toLowerCase();
  if (allowedHosts.some((a) => a.toLowerCase() === lower || a.toLowerCase() === name)) return true;
  if (allowedHosts.length > 0) return false;
  return !isLoopbackAddress(localAddress);
}

function originOf(value: string): string | undefined {
  try {
    return new URL(value).origin;
  } catch {
    return undefined;
  }
}

/**
 * Browsers send `Origin` on cross-site requests. No Origin (CLI and desktop clients) passes; so do
 * the gateway's own origin, loopback origins and `allowedOrigins` (`*` allows any). `null` (sandboxed
 * frames, `file:` pages, some redirects) never passes: any page can make itself `null`.
 */
export function originAllowed(
  origin: string | undefined,
  host: string | undefined,
  allowedOrigins: readonly string[],
): boolean {
  if (origin === undefined) return true;
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return false;
  }
  if (url.origin === 'null') return false;
  if (allowedOrigins.includes('*')) return true;
  if (allowedOrigins.some((a) => originOf(a) === url.origin)) return true;
  if (host && url.host === host.trim().toLowerCase()) return true;
  return isLoopbackName(hostnameOf(url.host));
}
