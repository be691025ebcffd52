import { constants } from 'node:os';
import { Readable, Writable } from 'node:stream';
import type { ExecExit, ExecSession } from '@sandboxed/plugin-sdk';
import { creditPayload, Frame, resizePayload } from './agent.protocol.js';

/** Bytes the agent may send per stream before the gateway's reader asks for more. */
export const OUTPUT_WINDOW = 256 * 1024;
/** Bytes of stdin in flight to the agent before a write waits for its acknowledgement. */
export const STDIN_WINDOW = 1024 * 1024;
const STDIN_CHUNK = 64 * 1024;

const SIGNAL_NAMES = new Map<number, string>(Object.entries(constants.signals).map(([name, n]) => [n, name]));

type Send = (type: number, payload?: Buffer) => void;

class CreditedReadable extends Readable {
  /** Bytes granted to the agent and not yet received. */
  granted = 0;
  private owed = 0;

  constructor(private readonly grant: (bytes: number) => void) {
    super();
  }

  open(): void {
    this.give(OUTPUT_WINDOW);
  }

  /** False when the agent sent more than it was granted. */
  accept(data: Buffer): boolean {
    if (data.length > this.granted) return false;
    this.granted -= data.length;
    if (this.push(data)) this.give(data.length);
    else this.owed += data.length;
    return true;
  }

  override _read(): void {
    if (this.owed > 0) {
      const owed = this.owed;
      this.owed = 0;
      this.give(owed);
    }
  }

  private give(bytes: number): void {
    this.granted += bytes;
    this.grant(bytes);
  }
}

/** One command on an agent connection, as the runtime interface's ExecSession. */
export class AgentExecSession implements ExecSession {
  readonly stdout: CreditedReadable;
  readonly stderr: CreditedReadable;
  readonly stdin: Writable;
  private exit?: ExecExit;
  private failure?: Error;
  private readonly settled: Promise<ExecExit>;
  private settle!: (exit: ExecExit) => void;
  private reject!: (err: Error) => void;
  private unacked = 0;
  private ackWaiters: Array<() => void> = [];

  constructor(private readonly send: Send) {
    this.stdout = new CreditedReadable((n) => this.send(Frame.credit, creditPayload(0, n)));
    this.stderr = new CreditedReadable((n) => this.send(Frame.credit, creditPayload(1, n)));
    this.settled = new Promise((resolve, reject) => {
      this.settle = resolve;
      this.reject = reject;
    });
    this.settled.catch(() => undefined);
    this.stdin = new Writable({
      write: (chunk: Buffer, _enc, done) => void this.writeStdin(chunk).then(() => done(), done),
      final: (done) => {
        if (!this.exit && !this.failure) this.send(Frame.stdinEof);
        done();
      },
    });
    this.stdin.on('error', () => undefined);
  }

  /** After the exec frame went out: the agent may start sending. */
  open(): void {
    this.stdout.open();
    this.stderr.open();
  }

  get done(): boolean {
    return this.exit !== undefined || this.failure !== undefined;
  }

  onOutput(stream: 0 | 1, data: Buffer): boolean {
    if (this.done) return false;
    return (stream ? this.stderr : this.stdout).accept(data);
  }

  onStdinAck(bytes: number): boolean {
    if (bytes > this.unacked) return false;
    this.unacked -= bytes;
    const waiters = this.ackWaiters;
    this.ackWaiters = [];
    for (const w of waiters) w();
    return true;
  }

  onExit(payload: Buffer): boolean {
    if (payload.length !== 6 || this.done) return false;
    const code = payload.readInt32BE(0);
    const signal = payload.readUInt8(4);
    this.exit = {
      exitCode: code >= 0 ? code : null,
      signal: signal ? (SIGNAL_NAMES.get(signal) ?? `SIG${signal}`) : null,
      timedOut: payload.readUInt8(5) === 1,
    };
    this.release();
    let open = 2;
    const ended = () => {
      if (--open === 0) this.settle(this.exit!);
    };
    for (const s of [this.stdout, this.stderr]) {
      if (s.readableEnded) ended();
      else {
        s.once('end', ended);
        s.once('close', () => s.readableEnded || ended());
      }
      s.push(null);
    }
    return true;
  }

  fail(err: Error): void {
    if (this.done) return;
    this.failure = err;
    this.release();
    this.reject(err);
    for (const s of [this.stdout, this.stderr]) {
      // A reader that stopped listening must not turn this into an unhandled 'error'.
      s.on('error', () => undefined);
      s.destroy(err);
    }
  }

  async resize(cols: number, rows: number): Promise<void> {
    if (!this.done) this.send(Frame.resize, resizePayload(cols, rows));
  }

  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const n = constants.signals[signal];
    if (!this.done && n) this.send(Frame.signal, Buffer.from([n]));
  }

  wait(): Promise<ExecExit> {
    return this.settled;
  }

  private release(): void {
    this.unacked = 0;
    const waiters = this.ackWaiters;
    this.ackWaiters = [];
    for (const w of waiters) w();
  }

  private async writeStdin(chunk: Buffer): Promise<void> {
    for (let off = 0; off < chunk.length; off += STDIN_CHUNK) {
      while (this.unacked >= STDIN_WINDOW && !this.done) await new Promise<void>((r) => this.ackWaiters.push(r));
      if (this.done) return;
      const part = chunk.subarray(off, off + STDIN_CHUNK);
      this.unacked += part.length;
      this.send(Frame.stdin, part);
    }
  }
}
