import type { CallToolResult } from '@modelcontextprotocol/server';
import type { JsonSchema, OperationEvent } from '@sandboxed/plugin-sdk';
import type { ToolEventSink } from './mcp.tool.js';
import { toolError, toolResult, type ErrorBody } from './tool-result.js';

const MAX_OTHER_EVENTS = 1000;

/** The final result of every streaming operation's tool. */
export const STREAM_RESULT_SCHEMA: JsonSchema = {
  type: 'object',
  properties: {
    stdout: { type: 'string', description: 'All standard output (UTF-8), up to the output cap' },
    stderr: { type: 'string', description: 'All standard error (UTF-8), up to the output cap' },
    exitCode: {
      type: ['integer', 'null'],
      description: 'Exit code; null when killed by a signal; absent if it never exited',
    },
    timedOut: { type: 'boolean', description: 'True when the timeout killed it' },
    truncated: { type: 'boolean', description: 'True when output was cut at the cap' },
    durationMs: { type: 'integer', description: 'Wall time in milliseconds' },
    events: { type: 'array', items: { type: 'object' }, description: 'Any other events the operation sent, in order' },
  },
  required: ['stdout', 'stderr', 'truncated', 'durationMs'],
};

interface Collected {
  stdout: string;
  stderr: string;
  exitCode?: number | null;
  timedOut?: boolean;
  truncated: boolean;
  durationMs: number;
  events?: Array<Record<string, unknown>>;
}

/**
 * Runs a streaming operation to its end: every `output` event goes out at once as a progress
 * notification and a logging message, and the final result carries the whole output up to `maxBytes`.
 */
export async function collectStream(
  events: AsyncIterable<OperationEvent>,
  sink: ToolEventSink,
  maxBytes: number,
): Promise<CallToolResult> {
  const started = performance.now();
  const result: Collected = { stdout: '', stderr: '', truncated: false, durationMs: 0 };
  const other: Array<Record<string, unknown>> = [];
  let kept = 0;
  let error: ErrorBody | undefined;
  for await (const event of events) {
    const e = event as Record<string, unknown> & { type: string };
    if (e.type === 'output') {
      const stream = e.stream === 'stderr' ? 'stderr' : 'stdout';
      const data = String(e.data ?? '');
      const room = maxBytes - kept;
      const bytes = Buffer.byteLength(data);
      if (bytes <= room) {
        result[stream] += data;
        kept += bytes;
      } else {
        result[stream] += Buffer.from(data).subarray(0, Math.max(0, room)).toString('utf8');
        kept = maxBytes;
        result.truncated = true;
      }
      await sink.progress(stream === 'stderr' ? `stderr: ${data}` : data);
      await sink.log('info', stream, data);
    } else if (e.type === 'exit') {
      result.exitCode = (e.exitCode as number | null) ?? null;
      result.timedOut = Boolean(e.timedOut);
    } else if (e.type === 'truncated') {
      result.truncated = true;
      await sink.log('warning', 'sandboxed', `Output cut at ${String(e.maxOutputBytes)} bytes`);
    } else if (e.type === 'error') {
      error = e.error as ErrorBody;
    } else {
      // Other events (e.g. screencast frames) share the output cap: each goes out as it comes either way.
      const bytes = Buffer.byteLength(JSON.stringify(e));
      if (other.length < MAX_OTHER_EVENTS && bytes <= maxBytes - kept) {
        other.push(e);
        kept += bytes;
      } else {
        result.truncated = true;
      }
      await sink.log('info', e.type, e);
    }
  }
  result.durationMs = Math.round(performance.now() - started);
  if (other.length) result.events = other;
  if (error) return toolError(error, `Output before the error: ${JSON.stringify(result)}`);
  return toolResult(result);
}
