import type { WebSocket } from 'ws';

/** Pings every `intervalMs`; a peer that did not answer the previous ping is dropped. */
export function keepAlive(ws: WebSocket, intervalMs: number): void {
  let alive = true;
  ws.on('pong', () => (alive = true));
  const timer = setInterval(() => {
    if (!alive) return void ws.terminate();
    alive = false;
    ws.ping();
  }, intervalMs);
  timer.unref();
  ws.once('close', () => clearInterval(timer));
}
