import type { ServerResponse } from 'node:http';
import type { Transport } from '@modelcontextprotocol/server';

const isToolCall = (body: unknown): body is { id: string | number; method: 'tools/call' } =>
  typeof body === 'object' &&
  body !== null &&
  !Array.isArray(body) &&
  (body as { method?: unknown }).method === 'tools/call' &&
  (typeof (body as { id?: unknown }).id === 'string' || typeof (body as { id?: unknown }).id === 'number');

/**
 * A 2025-era session's tools/call whose own response stream closes before its answer is cancelled, as if the
 * client had sent notifications/cancelled for it: its operation stops and a running command is killed. The SDK's
 * session transport keeps such a call running (it could resume on another stream, with an event store, which
 * sessions here have not); without one, nothing could receive its answer. The cancellation goes through the
 * SDK's own path (the request's abort signal).
 */
export function cancelOnStreamClose(transport: Transport, res: ServerResponse, body: unknown): void {
  if (!isToolCall(body)) return;
  res.once('close', () => {
    if (res.writableFinished) return;
    transport.onmessage?.({
      jsonrpc: '2.0',
      method: 'notifications/cancelled',
      params: { requestId: body.id, reason: 'The request stream closed' },
    });
  });
}
