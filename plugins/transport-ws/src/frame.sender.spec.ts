import { describe, it, expect } from '@jest/globals';
import { WebSocket } from 'ws';
import { FrameSender } from './frame.sender.js';

class FakeSocket {
  readyState: number = WebSocket.OPEN;
  bufferedAmount = 0;
  sent: string[] = [];
  callbacks: Array<(err?: Error) => void> = [];
  terminated = false;
  send(data: string, cb?: (err?: Error) => void): void {
    this.sent.push(data);
    if (cb) this.callbacks.push(cb);
  }
  terminate(): void {
    this.terminated = true;
    this.readyState = WebSocket.CLOSED;
  }
}

const setup = (stallTimeoutMs = 50) => {
  const ws = new FakeSocket();
  let drops = 0;
  const sender = new FrameSender(ws as unknown as WebSocket, { maxBufferedBytes: 1000, stallTimeoutMs }, () => drops++);
  return { ws, sender, drops: () => drops };
};

describe('FrameSender', () => {
  it('sends while the backlog is within the bound, and drops the reader once it is past it', () => {
    const { ws, sender, drops } = setup();
    expect(sender.send({ a: 1 })).toBe(true);
    ws.bufferedAmount = 1001;
    expect(sender.send({ a: 2 })).toBe(false);
    expect(ws.sent).toEqual(['{"a":1}']);
    expect(ws.terminated).toBe(true);
    expect(drops()).toBe(1);
    expect(sender.send({ a: 3 })).toBe(false);
    expect(drops()).toBe(1);
  });

  it('does not wait below the soft mark', async () => {
    const { ws, sender } = setup();
    ws.bufferedAmount = 400;
    expect(await sender.sendPaced({ e: 1 })).toBe(true);
  });

  it('waits above the soft mark until the frame is flushed', async () => {
    const { ws, sender, drops } = setup(10_000);
    ws.bufferedAmount = 600;
    const sent = sender.sendPaced({ e: 1 });
    ws.callbacks[0]!();
    expect(await sent).toBe(true);
    expect(drops()).toBe(0);
  });

  it('drops a reader that does not drain in time', async () => {
    const { ws, sender, drops } = setup(20);
    ws.bufferedAmount = 600;
    expect(await sender.sendPaced({ e: 1 })).toBe(false);
    expect(ws.terminated).toBe(true);
    expect(drops()).toBe(1);
  });
});
