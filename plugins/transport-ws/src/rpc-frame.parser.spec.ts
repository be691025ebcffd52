import { describe, it, expect } from '@jest/globals';
import { parseRpcFrame } from './rpc-frame.parser.js';

const bad = (text: string) => parseRpcFrame(text) as { ok: false; id: unknown; error: Error };

describe('parseRpcFrame', () => {
  it('reads calls, streams and cancels', () => {
    expect(parseRpcFrame('{"id":1,"op":"sandbox.list"}')).toEqual({
      ok: true,
      request: { kind: 'call', id: 1, op: 'sandbox.list', sandboxId: undefined, input: {}, stream: false },
    });
    expect(parseRpcFrame('{"id":"x","op":"a.b","sandboxId":"s","input":{"k":1},"stream":true}')).toMatchObject({
      ok: true,
      request: { id: 'x', sandboxId: 's', input: { k: 1 }, stream: true },
    });
    expect(parseRpcFrame('{"id":"x","cancel":true}')).toEqual({ ok: true, request: { kind: 'cancel', id: 'x' } });
  });

  it('refuses malformed frames, keeping the id when there is one', () => {
    expect(bad('nope')).toMatchObject({ ok: false, id: null });
    expect(bad('[1]')).toMatchObject({ ok: false, id: null });
    expect(bad('{"op":"a.b"}')).toMatchObject({ ok: false, id: null });
    expect(bad(`{"id":"${'x'.repeat(129)}","op":"a.b"}`)).toMatchObject({ ok: false, id: null });
    expect(bad('{"id":2,"op":"a.b","extra":1}').error.message).toMatch(/extra/);
    expect(bad('{"id":2,"op":"a.b","stream":"yes"}')).toMatchObject({ ok: false, id: 2 });
    expect(bad('{"id":2,"cancel":true,"op":"a.b"}')).toMatchObject({ ok: false, id: 2 });
    expect(bad('{"id":2}')).toMatchObject({ ok: false, id: 2 });
  });

  it('refuses frames nested too deep without parsing them, keeping a leading id', () => {
    const deep = `${'['.repeat(65)}${']'.repeat(65)}`;
    expect(bad(`{"id":"d","op":"a.b","input":${deep}}`)).toMatchObject({ ok: false, id: 'd' });
    expect(bad(`{"id":3,"input":${deep}}`).error.message).toMatch(/nested deeper than 64 levels/);
    expect(bad(`{"op":"a.b","id":3,"input":${deep}}`)).toMatchObject({ ok: false, id: null });
    expect(bad(`{"id":"\\u12","input":${deep}}`)).toMatchObject({ ok: false, id: null });
    expect(parseRpcFrame(`{"id":4,"op":"a.b","input":{"s":"${'['.repeat(100)}"}}`)).toMatchObject({ ok: true });
  });
});
