import { InvalidArgumentError } from '@sandboxed/plugin-sdk';

const ALLOWED = new Set(['http:', 'https:']);

/**
 * What the browser may be sent to: http(s) pages and about:blank. `file:`, `chrome:`, `devtools:`,
 * `view-source:`, `javascript:` and the rest are refused (a page's own links stay the page's business).
 */
export function checkedNavigationUrl(raw: string): string {
  if (raw === 'about:blank') return raw;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new InvalidArgumentError(`url: "${raw.slice(0, 200)}" is not an absolute URL (e.g. http://localhost:8000/)`);
  }
  if (!ALLOWED.has(url.protocol)) {
    throw new InvalidArgumentError(
      `url: the ${url.protocol} scheme is refused; the browser opens http and https URLs (and about:blank)`,
      { scheme: url.protocol.replace(/:$/, '') },
    );
  }
  return url.href;
}
