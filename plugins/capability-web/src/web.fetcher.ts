import {
  ForbiddenError,
  InvalidArgumentError,
  SandboxedError,
  TimeoutError,
  UnavailableError,
} from '@sandboxed/plugin-sdk';
import { Agent, request, type Dispatcher } from 'undici';
import { convertHtml, decoderFor, mediaKind } from './content.converter.js';
import type { EgressPolicy } from './egress.policy.js';
import { EgressRefusal, guardedConnector } from './guarded.connector.js';
import { DEFAULT_MAX_BYTES, DEFAULT_TIMEOUT_MS, type WebSettings } from './web-options.dto.js';
import type { WebFetchInput, WebFetchOutput } from './web.dto.js';

const MAX_REDIRECTS = 5;
const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/** Drops a body unread; undici reports that as an abort error, which is expected here. */
function discard(body: Dispatcher.ResponseData['body']): void {
  body.on('error', () => undefined);
  body.destroy();
}

/** Parses a URL the caller (or a redirect) gave; only http and https pass. */
function target(raw: string, base?: URL): URL {
  let url: URL;
  try {
    url = new URL(raw, base);
  } catch {
    throw new InvalidArgumentError(`url: "${raw.slice(0, 200)}" is not a valid URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    const where = base ? `a redirect from ${base.href} to` : 'url:';
    throw new InvalidArgumentError(`${where} the ${url.protocol} scheme is not allowed; use http or https`);
  }
  if (url.username || url.password) throw new InvalidArgumentError('url: credentials in the URL are not allowed');
  return url;
}

function bounded(value: number | undefined, fallback: number, limit: number, name: string, option: string): number {
  const v = value ?? Math.min(fallback, limit);
  if (v > limit) throw new InvalidArgumentError(`${name}: at most ${limit} (the capability-web option ${option})`);
  return v;
}

/** The refusal an undici error carries, if the egress policy made it. */
function refusalIn(err: unknown): Error | undefined {
  for (let e = err as { cause?: unknown } | undefined, i = 0; e && i < 5; e = e.cause as typeof e, i++) {
    if (e instanceof EgressRefusal) return e.refusal;
  }
  return undefined;
}

function codeIn(err: unknown): string | undefined {
  for (
    let e = err as { code?: unknown; cause?: unknown } | undefined, i = 0;
    e && i < 5;
    e = e.cause as typeof e, i++
  ) {
    if (typeof e.code === 'string' && !e.code.startsWith('UND_ERR_ABORT')) return e.code;
  }
  return undefined;
}

/** Fetches one page from the gateway: the egress policy on every connection, redirects followed by hand. */
export class WebFetcher {
  constructor(
    private readonly settings: WebSettings,
    private readonly policy: EgressPolicy,
  ) {}

  async fetch(input: WebFetchInput, signal?: AbortSignal): Promise<WebFetchOutput> {
    const first = target(input.url);
    const maxBytes = bounded(
      input.maxBytes,
      DEFAULT_MAX_BYTES,
      this.settings.maxBytesLimit,
      'maxBytes',
      'maxBytesLimit',
    );
    const timeoutMs = bounded(
      input.timeoutMs,
      DEFAULT_TIMEOUT_MS,
      this.settings.maxTimeoutMs,
      'timeoutMs',
      'maxTimeoutMs',
    );
    const deadline = AbortSignal.timeout(timeoutMs);
    const aborted = signal ? AbortSignal.any([deadline, signal]) : deadline;
    // One agent per call: connections are never shared between callers, and all close when the call ends.
    const agent = new Agent({ connect: guardedConnector(this.policy, timeoutMs), connections: 1 });
    try {
      let url = first;
      for (let hop = 0; ; hop++) {
        const res = await request(url, {
          dispatcher: agent,
          method: 'GET',
          signal: aborted,
          // Only these: the caller's gateway credentials, or any of its headers, never leave the gateway.
          headers: {
            'user-agent': this.settings.userAgent,
            accept: 'text/html,application/xhtml+xml,text/plain;q=0.9,*/*;q=0.8',
            'accept-encoding': 'identity',
          },
        });
        const location = res.headers.location;
        if (REDIRECTS.has(res.statusCode) && typeof location === 'string') {
          discard(res.body);
          if (hop === MAX_REDIRECTS) {
            throw new InvalidArgumentError(
              `url: more than ${MAX_REDIRECTS} redirects (last to ${location.slice(0, 200)})`,
            );
          }
          url = target(location, url);
          continue;
        }
        return await this.read(input, url, res, maxBytes);
      }
    } catch (err) {
      throw this.failure(err, first, deadline, timeoutMs);
    } finally {
      await agent.destroy().catch(() => undefined);
    }
  }

  private async read(
    input: WebFetchInput,
    url: URL,
    res: Dispatcher.ResponseData,
    maxBytes: number,
  ): Promise<WebFetchOutput> {
    const header = res.headers['content-type'];
    const contentType = (Array.isArray(header) ? header[0] : header) ?? '';
    const kind = mediaKind(contentType);
    const base = { url: input.url, finalUrl: url.href, status: res.statusCode, contentType };
    if (kind === 'binary') {
      discard(res.body);
      return { ...base, title: '', content: '', truncated: false, binary: true };
    }
    const chunks: Buffer[] = [];
    let total = 0;
    let truncated = false;
    for await (const chunk of res.body as AsyncIterable<Buffer>) {
      if (total + chunk.length > maxBytes) {
        chunks.push(chunk.subarray(0, maxBytes - total));
        truncated = true;
        break; // leaving the loop destroys the body: the rest is never read
      }
      chunks.push(chunk);
      total += chunk.length;
    }
    // stream: true leaves out a character the cap cut in half.
    const text = decoderFor(contentType).decode(Buffer.concat(chunks), { stream: true });
    const format = input.format ?? 'markdown';
    const { title, content } = kind === 'html' ? convertHtml(text, format) : { title: '', content: text };
    return { ...base, title, content, truncated, binary: false };
  }

  private failure(err: unknown, url: URL, deadline: AbortSignal, timeoutMs: number): SandboxedError {
    const refusal = refusalIn(err);
    if (refusal instanceof SandboxedError) return refusal;
    if (err instanceof SandboxedError) return err;
    if (deadline.aborted) return new TimeoutError(`web.fetch of ${url.href} did not finish within ${timeoutMs} ms`);
    const code = codeIn(err);
    if (code === 'ENOTFOUND' || code === 'EAI_AGAIN')
      return new InvalidArgumentError(`url: ${url.hostname} does not resolve`);
    if (code === 'UND_ERR_CONNECT_TIMEOUT')
      return new TimeoutError(`web.fetch could not connect to ${url.host} within ${timeoutMs} ms`);
    if (refusal) return new ForbiddenError(refusal.message);
    return new UnavailableError(
      `web.fetch of ${url.href} failed: ${code ?? (err as Error)?.message ?? 'connection error'}`,
    );
  }
}
