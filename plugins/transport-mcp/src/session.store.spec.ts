import { describe, expect, it, jest } from '@jest/globals';
import type { Server } from '@modelcontextprotocol/server';
import type { Principal } from '@sandboxed/plugin-sdk';
import { resolveMcpOptions } from './mcp-options.dto.js';
import { RunningToolCalls } from './running-tool-calls.js';
import { McpSessionStore, type McpSession } from './session.store.js';

function session(id: string, lastSeen: number): McpSession & { close: jest.Mock } {
  const close = jest.fn(async () => undefined);
  return {
    id,
    kind: 'streamable',
    principalId: 'p',
    profile: 'default',
    server: { close } as unknown as Server,
    calls: new RunningToolCalls(),
    lastSeen,
    close,
  };
}

const p: Principal = { id: 'p', scopes: [] };
const until = (expiresAt: number): Principal => ({ ...p, expiresAt });

describe('McpSessionStore', () => {
  const store = (): McpSessionStore =>
    new McpSessionStore(resolveMcpOptions({ maxSessions: 2, sessionIdleSeconds: 60 }));

  it('refuses a new session with 503 at maxSessions, and makes room when one ends', () => {
    const s = store();
    s.add(session('a', Date.now()), p);
    expect(() => s.assertRoom()).not.toThrow();
    s.add(session('b', Date.now()), p);
    expect(() => s.assertRoom()).toThrow(expect.objectContaining({ status: 503 }));
    s.delete('a');
    expect(() => s.assertRoom()).not.toThrow();
  });

  it('closes sessions idle past the limit and keeps the others', async () => {
    const s = store();
    const now = Date.now();
    const idle = session('idle', now - 61_000);
    const busy = session('busy', now - 59_000);
    s.add(idle, p);
    s.add(busy, p);
    await s.closeIdle(now);
    expect(idle.close).toHaveBeenCalled();
    expect(busy.close).not.toHaveBeenCalled();
    expect(s.get('idle')).toBeUndefined();
    expect(s.get('busy')).toBe(busy);
  });

  it('closes everything at shutdown', async () => {
    const s = store();
    const a = session('a', Date.now());
    s.add(a, p);
    await s.onModuleDestroy();
    expect(a.close).toHaveBeenCalled();
    expect(s.size).toBe(0);
  });

  describe('at credential expiry', () => {
    it('closes a session when the credentials it was opened with expire, and not before', async () => {
      jest.useFakeTimers({ now: 0 });
      try {
        const s = store();
        const a = session('a', 0);
        s.add(a, until(1000));
        await jest.advanceTimersByTimeAsync(999);
        expect(a.close).not.toHaveBeenCalled();
        await jest.advanceTimersByTimeAsync(1);
        expect(a.close).toHaveBeenCalled();
        expect(s.get('a')).toBeUndefined();
      } finally {
        jest.useRealTimers();
      }
    });

    it('lets fresher credentials extend a session, never shorten it; credentials without expiry lift the end', async () => {
      jest.useFakeTimers({ now: 0 });
      try {
        const s = store();
        const a = session('a', 0);
        s.add(a, until(1000));
        s.renew(a, until(5000));
        s.renew(a, until(2000));
        await jest.advanceTimersByTimeAsync(4999);
        expect(a.close).not.toHaveBeenCalled();
        await jest.advanceTimersByTimeAsync(1);
        expect(a.close).toHaveBeenCalled();

        const b = session('b', Date.now());
        s.add(b, until(Date.now() + 1000));
        s.renew(b, p);
        await jest.advanceTimersByTimeAsync(10_000);
        expect(b.close).not.toHaveBeenCalled();
      } finally {
        jest.useRealTimers();
      }
    });

    it('forgets the deadline of a session that ended otherwise', async () => {
      jest.useFakeTimers({ now: 0 });
      try {
        const s = store();
        const a = session('a', 0);
        s.add(a, until(1000));
        s.delete('a');
        await jest.advanceTimersByTimeAsync(2000);
        expect(a.close).not.toHaveBeenCalled();
      } finally {
        jest.useRealTimers();
      }
    });
  });
});
