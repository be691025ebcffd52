import type { ChannelDefinition } from '@sandboxed/plugin-sdk';

const PARAM = /\{([A-Za-z][A-Za-z0-9]*)\}/g;

export interface ChannelRoute {
  channel: ChannelDefinition;
  /** Matches `/v1/sandboxes/<id>/<path>` (and, for tunnels, anything below `<path>/`). */
  pattern: RegExp;
  params: string[];
  /** Fastify form of the mount point, e.g. `/v1/sandboxes/:id/ports/:port`. */
  fastifyUrl: string;
}

export interface ChannelMatch {
  route: ChannelRoute;
  sandboxId: string;
  params: Record<string, string>;
  /** Tunnels: the path below the mount point, `/` at least; undefined without the trailing slash. */
  rest?: string;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export function channelRoute(channel: ChannelDefinition): ChannelRoute {
  const sub = channel.path.replace(/^\/+|\/+$/g, '');
  const params = [...sub.matchAll(PARAM)].map((m) => m[1]!);
  if (params.includes('id')) throw new Error(`Channel ${channel.id}: {id} is reserved for the sandbox`);
  const body = sub
    .split(PARAM)
    .map((part, i) => (i % 2 === 1 ? '([^/]+)' : escapeRegExp(part)))
    .join('');
  const tail = channel.kind === 'tunnel' ? '(/.*)?' : '/?';
  return {
    channel,
    pattern: new RegExp(`^/v1/sandboxes/([^/]+)/${body}${tail}$`),
    params,
    fastifyUrl: `/v1/sandboxes/:id/${sub.replace(PARAM, ':$1')}`,
  };
}

/** Finds the channel a request path addresses; path parameters are URL-decoded. */
export function matchChannel(routes: ChannelRoute[], pathname: string): ChannelMatch | undefined {
  for (const route of routes) {
    const m = route.pattern.exec(pathname);
    if (!m) continue;
    try {
      const values = m.slice(1).map((v) => (v === undefined ? undefined : decodeURIComponent(v)));
      const params = Object.fromEntries(route.params.map((name, i) => [name, values[i + 1]!]));
      const rest = route.channel.kind === 'tunnel' ? m[route.params.length + 2] : undefined;
      return { route, sandboxId: values[0]!, params, rest };
    } catch {
      return undefined; // malformed %-escapes
    }
  }
  return undefined;
}
