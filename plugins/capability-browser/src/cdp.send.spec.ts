import { describe, expect, it } from '@jest/globals';
import type CDP from 'chrome-remote-interface';
import { sendCdp } from './cdp.send.js';

type Callback = (error: unknown, response: unknown) => void;

function fakeClient(answer: (cb: Callback) => void, seen: unknown[][] = []): CDP.Client {
  return {
    send: (...args: unknown[]) => {
      seen.push(args.slice(0, -1));
      answer(args.at(-1) as Callback);
    },
  } as unknown as CDP.Client;
}

describe('sendCdp', () => {
  it('resolves with the result and passes the session id through', async () => {
    const seen: unknown[][] = [];
    await expect(
      sendCdp(
        fakeClient((cb) => cb(false, { ok: 1 }), seen),
        'Page.enable',
        {},
        's1',
      ),
    ).resolves.toEqual({ ok: 1 });
    expect(seen[0]).toEqual(['Page.enable', {}, 's1']);
  });

  it('turns a protocol error into an Error that carries the response', async () => {
    const err = await sendCdp(
      fakeClient((cb) => cb(true, { code: -32000, message: 'No node' })),
      'DOM.resolveNode',
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect(err).toMatchObject({ message: 'No node', response: { code: -32000, message: 'No node' } });
  });

  it('passes a socket error made in another realm through instead of throwing', async () => {
    // What Node's own socket errors look like from inside a test runner's VM context: not instanceof Error.
    const foreign = { name: 'Error', message: 'write EPIPE', code: 'EPIPE' };
    await expect(
      sendCdp(
        fakeClient((cb) => cb(foreign, undefined)),
        'Page.navigate',
      ),
    ).rejects.toBe(foreign);
  });
});
