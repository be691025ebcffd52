import { InvalidArgumentError, jsonDepthExceeds, MAX_JSON_DEPTH, type SandboxedError } from '@sandboxed/plugin-sdk';

export type RpcId = string | number;

export type RpcRequest =
  | { kind: 'call'; id: RpcId; op: string; sandboxId?: string; input: unknown; stream: boolean }
  | { kind: 'cancel'; id: RpcId };

export type ParsedFrame = { ok: true; request: RpcRequest } | { ok: false; id: RpcId | null; error: SandboxedError };

const CALL_KEYS = new Set(['id', 'op', 'sandboxId', 'input', 'stream']);

function isId(v: unknown): v is RpcId {
  return (typeof v === 'string' && v.length > 0 && v.length <= 128) || (typeof v === 'number' && Number.isFinite(v));
}

/** A too-deep frame is not parsed; its id is still found when it leads the frame, as clients write it. */
const LEADING_ID = /^\s*\{\s*"id"\s*:\s*("(?:[^"\\]|\\.){1,128}"|-?\d{1,15})\s*,/;

function leadingId(text: string): RpcId | null {
  const m = LEADING_ID.exec(text.slice(0, 300));
  try {
    return m ? (JSON.parse(m[1]!) as RpcId) : null;
  } catch {
    return null; // e.g. a bad escape in the id
  }
}

/** Validates one client frame: `{id, op, sandboxId?, input?, stream?}` or `{id, cancel: true}`. */
export function parseRpcFrame(text: string): ParsedFrame {
  if (jsonDepthExceeds(text)) {
    const error = new InvalidArgumentError(`Frame is nested deeper than ${MAX_JSON_DEPTH} levels; send flatter JSON`);
    return { ok: false, id: leadingId(text), error };
  }
  let msg: unknown;
  try {
    msg = JSON.parse(text);
  } catch {
    return { ok: false, id: null, error: new InvalidArgumentError('Frame is not valid JSON') };
  }
  if (!msg || typeof msg !== 'object' || Array.isArray(msg)) {
    return { ok: false, id: null, error: new InvalidArgumentError('Frame must be a JSON object') };
  }
  const m = msg as Record<string, unknown>;
  if (!isId(m.id)) {
    return {
      ok: false,
      id: null,
      error: new InvalidArgumentError('`id` must be a non-empty string (at most 128 characters) or a number'),
    };
  }
  const id = m.id;
  const fail = (message: string): ParsedFrame => ({ ok: false, id, error: new InvalidArgumentError(message) });
  if ('cancel' in m) {
    if (m.cancel !== true || Object.keys(m).length !== 2) return fail('A cancel frame is exactly `{id, cancel: true}`');
    return { ok: true, request: { kind: 'cancel', id } };
  }
  const unknown = Object.keys(m).filter((k) => !CALL_KEYS.has(k));
  if (unknown.length > 0) return fail(`Unknown field(s): ${unknown.join(', ')}`);
  if (typeof m.op !== 'string' || m.op.length === 0 || m.op.length > 200)
    return fail('`op` must name an operation, e.g. "sandbox.list"');
  if (m.sandboxId !== undefined && (typeof m.sandboxId !== 'string' || m.sandboxId.length > 128))
    return fail('`sandboxId` must be a string');
  if (m.stream !== undefined && typeof m.stream !== 'boolean') return fail('`stream` must be a boolean');
  return {
    ok: true,
    request: {
      kind: 'call',
      id,
      op: m.op,
      sandboxId: m.sandboxId as string | undefined,
      input: m.input ?? {},
      stream: m.stream === true,
    },
  };
}
