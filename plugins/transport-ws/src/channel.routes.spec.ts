import { describe, it, expect } from '@jest/globals';
import { sandboxMessageChannel, sandboxTunnel } from '@sandboxed/plugin-sdk';
import { channelRoute, matchChannel } from './channel.routes.js';

class In {}
const open = async () => {
  throw new Error('unused');
};
const routes = [
  channelRoute(sandboxMessageChannel({ id: 'terminal.open', summary: 't', input: In, path: 'terminal', open })),
  channelRoute(
    sandboxTunnel({ id: 'port.connect', summary: 'p', input: In, path: 'ports/{port}', protocol: 'http', open }),
  ),
];

describe('channel routes', () => {
  it('matches a message channel exactly', () => {
    expect(matchChannel(routes, '/v1/sandboxes/abc/terminal')).toMatchObject({
      sandboxId: 'abc',
      params: {},
      rest: undefined,
    });
    expect(matchChannel(routes, '/v1/sandboxes/abc/terminal/x')).toBeUndefined();
  });

  it('matches a tunnel and everything below it, decoding parameters', () => {
    expect(matchChannel(routes, '/v1/sandboxes/abc/ports/8000/a/b.html')).toMatchObject({
      sandboxId: 'abc',
      params: { port: '8000' },
      rest: '/a/b.html',
    });
    expect(matchChannel(routes, '/v1/sandboxes/abc/ports/8000/')).toMatchObject({ rest: '/' });
    expect(matchChannel(routes, '/v1/sandboxes/abc/ports/8000')).toMatchObject({ rest: undefined });
    expect(matchChannel(routes, '/v1/sandboxes/a%2Fb/ports/80/')).toMatchObject({ sandboxId: 'a/b' });
    expect(matchChannel(routes, '/v1/sandboxes/abc/ports/%E0%A4%A/')).toBeUndefined();
    expect(routes[1]!.fastifyUrl).toBe('/v1/sandboxes/:id/ports/:port');
  });
});
