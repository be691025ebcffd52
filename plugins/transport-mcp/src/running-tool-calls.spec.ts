import { describe, expect, it } from '@jest/globals';
import type { CallToolResult } from '@modelcontextprotocol/server';
import { RunningToolCalls } from './running-tool-calls.js';

const done: CallToolResult = { content: [{ type: 'text', text: 'done' }] };

/** A call that runs until its signal aborts, and says when it saw the abort. */
function untilAborted(): { call: (signal: AbortSignal) => Promise<CallToolResult>; aborted: Promise<void> } {
  let seen!: () => void;
  const aborted = new Promise<void>((resolve) => (seen = resolve));
  const call = (signal: AbortSignal): Promise<CallToolResult> =>
    new Promise((_resolve, reject) =>
      signal.addEventListener('abort', () => {
        seen();
        reject(new Error('aborted'));
      }),
    );
  return { call, aborted };
}

describe('RunningToolCalls', () => {
  it('passes results through for credentials that do not expire', async () => {
    const calls = new RunningToolCalls();
    expect(await calls.run({ id: 'a', scopes: [] }, new AbortController().signal, async () => done)).toBe(done);
  });

  it('aborts a call whose credentials expire and answers unauthorized at once', async () => {
    const calls = new RunningToolCalls();
    const { call, aborted } = untilAborted();
    const result = await calls.run(
      { id: 'a', scopes: [], expiresAt: Date.now() + 20 },
      new AbortController().signal,
      call,
    );
    await aborted;
    expect(result).toMatchObject({ isError: true, _meta: { 'sandboxed/error': { code: 'unauthorized' } } });
  });

  it('expires every running call on demand, and still aborts on the caller’s own signal', async () => {
    const calls = new RunningToolCalls();
    const first = untilAborted();
    const running = calls.run({ id: 'a', scopes: [] }, new AbortController().signal, first.call);
    await calls.expireAll();
    await first.aborted;
    expect(await running).toMatchObject({ isError: true });

    const cancel = new AbortController();
    const second = untilAborted();
    const cancelled = calls.run({ id: 'a', scopes: [] }, cancel.signal, second.call);
    cancel.abort();
    await second.aborted;
    await expect(cancelled).rejects.toThrow('aborted');
  });
});
