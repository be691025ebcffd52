/**
 * The agent's wire format, both ways over the one exec stream: a 9-byte header (u32 payload
 * length, big-endian; u8 type; u32 command id) and the payload. The C side is
 * libs/agent/native/sandbox-agent.c; the two change together (AGENT_VERSION).
 *
 * exec payload: u8 flags (1 tty, 2 keepBackground, 4 builtin: argv[0] names one of the agent's
 * built-ins, libs/agent/native/agent-builtins.c), u32 timeoutMs (0: none), u16 cols, u16 rows,
 * string cwd (empty: the agent's own, the workdir), u32 argc + strings, u32 envc + "K=V" strings;
 * a string is u32 length + bytes (no NUL). exit payload: i32 exit code (-1 when signalled), u8
 * signal number, u8 timedOut. credit: u8 stream (0 stdout, 1 stderr), u32 bytes.
 */
export const AGENT_VERSION = 'sandboxed-agent 2';
export const HEADER_BYTES = 9;
/** Largest payload either side accepts; the agent refuses a bigger one, and so does the gateway. */
export const MAX_PAYLOAD = 1 << 20;

export const Frame = {
  exec: 0x01,
  stdin: 0x02,
  stdinEof: 0x03,
  signal: 0x04,
  resize: 0x05,
  credit: 0x06,
  ping: 0x07,
  hello: 0x81,
  stdout: 0x82,
  stderr: 0x83,
  exit: 0x84,
  fatal: 0x85,
  pong: 0x86,
  stdinAck: 0x87,
} as const;

export const ExecFlag = { tty: 1, keepBackground: 2, builtin: 4 } as const;

export function frame(type: number, id: number, payload: Buffer = Buffer.alloc(0)): Buffer {
  const head = Buffer.alloc(HEADER_BYTES);
  head.writeUInt32BE(payload.length, 0);
  head.writeUInt8(type, 4);
  head.writeUInt32BE(id, 5);
  return Buffer.concat([head, payload]);
}

function strings(values: readonly string[]): Buffer[] {
  const count = Buffer.alloc(4);
  count.writeUInt32BE(values.length);
  return [count, ...values.map(str)];
}

function str(value: string): Buffer {
  const bytes = Buffer.from(value, 'utf8');
  const len = Buffer.alloc(4);
  len.writeUInt32BE(bytes.length);
  return Buffer.concat([len, bytes]);
}

export interface ExecFrameInput {
  argv: string[];
  builtin?: { name: string; args: string[] };
  cwd?: string;
  env?: Record<string, string>;
  tty?: boolean;
  keepBackground?: boolean;
  timeoutMs?: number;
  cols?: number;
  rows?: number;
}

export function execPayload(req: ExecFrameInput): Buffer {
  const head = Buffer.alloc(9);
  const flags =
    (req.tty ? ExecFlag.tty : 0) |
    (req.keepBackground ? ExecFlag.keepBackground : 0) |
    (req.builtin ? ExecFlag.builtin : 0);
  head.writeUInt8(flags, 0);
  head.writeUInt32BE(Math.min(Math.max(0, Math.ceil(req.timeoutMs ?? 0)), 0xffffffff), 1);
  head.writeUInt16BE(req.cols ?? 0, 5);
  head.writeUInt16BE(req.rows ?? 0, 7);
  const env = Object.entries(req.env ?? {}).map(([k, v]) => `${k}=${v}`);
  const argv = req.builtin ? [req.builtin.name, ...req.builtin.args] : req.argv;
  return Buffer.concat([head, str(req.cwd ?? ''), ...strings(argv), ...strings(env)]);
}

export function creditPayload(stream: 0 | 1, bytes: number): Buffer {
  const p = Buffer.alloc(5);
  p.writeUInt8(stream, 0);
  p.writeUInt32BE(bytes, 1);
  return p;
}

export function resizePayload(cols: number, rows: number): Buffer {
  const p = Buffer.alloc(4);
  p.writeUInt16BE(cols, 0);
  p.writeUInt16BE(rows, 2);
  return p;
}
