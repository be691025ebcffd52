import { describe, it, expect } from '@jest/globals';
import { sandboxMessageChannel, sandboxTunnel } from '@sandboxed/plugin-sdk';
import { InMemoryChannelRegistry } from './channel.registry.js';

class Input {}
const open = async (): Promise<never> => {
  throw new Error('unused');
};

describe('InMemoryChannelRegistry', () => {
  it('registers channels by id and lists them', () => {
    const registry = new InMemoryChannelRegistry();
    const terminal = sandboxMessageChannel({ id: 'terminal.open', summary: 't', input: Input, path: 'terminal', open });
    registry.register(terminal);
    expect(terminal).toMatchObject({ kind: 'messages', scope: 'sandbox' });
    expect(registry.get('terminal.open')).toBe(terminal);
    expect(registry.list()).toEqual([terminal]);
  });

  it('refuses a taken id or path, and ids that are not area.verb', () => {
    const registry = new InMemoryChannelRegistry();
    registry.register(
      sandboxTunnel({ id: 'port.connect', summary: 'p', input: Input, path: 'ports/{port}', protocol: 'http', open }),
    );
    const again = (id: string, path: string) => () =>
      registry.register(sandboxTunnel({ id, summary: 'x', input: Input, path, protocol: 'http', open }));
    expect(again('port.connect', 'other')).toThrow(/Duplicate channel id/);
    expect(again('port.other', '/ports/{port}/')).toThrow(/already used by "port.connect"/);
    expect(again('Bad', 'bad')).toThrow(/area\.verb/);
  });
});
