import { describe, expect, it, jest } from '@jest/globals';
import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { resolveMcpOptions } from './mcp-options.dto.js';
import { McpSessionStore, type McpSession } from './session.store.js';

function session(id: string, lastSeen: number): McpSession & { close: jest.Mock } {
  const close = jest.fn(async () => undefined);
  return {
    id,
    kind: 'streamable',
    principalId: 'p',
    profile: 'default',
    server: { close } as unknown as Server,
    lastSeen,
    close,
  };
}

describe('McpSessionStore', () => {
  const store = (): McpSessionStore =>
    new McpSessionStore(resolveMcpOptions({ maxSessions: 2, sessionIdleSeconds: 60 }));

  it('refuses a new session with 503 at maxSessions, and makes room when one ends', () => {
    const s = store();
    s.add(session('a', Date.now()));
    expect(() => s.assertRoom()).not.toThrow();
    s.add(session('b', Date.now()));
    expect(() => s.assertRoom()).toThrow(expect.objectContaining({ status: 503 }));
    s.delete('a');
    expect(() => s.assertRoom()).not.toThrow();
  });

  it('closes sessions idle past the limit and keeps the others', async () => {
    const s = store();
    const now = Date.now();
    const idle = session('idle', now - 61_000);
    const busy = session('busy', now - 59_000);
    s.add(idle);
    s.add(busy);
    await s.closeIdle(now);
    expect(idle.close).toHaveBeenCalled();
    expect(busy.close).not.toHaveBeenCalled();
    expect(s.get('idle')).toBeUndefined();
    expect(s.get('busy')).toBe(busy);
  });

  it('closes everything at shutdown', async () => {
    const s = store();
    const a = session('a', Date.now());
    s.add(a);
    await s.onModuleDestroy();
    expect(a.close).toHaveBeenCalled();
    expect(s.size).toBe(0);
  });
});
