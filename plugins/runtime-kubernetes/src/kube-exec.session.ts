import { PassThrough, Writable } from 'node:stream';
import type { V1Status } from '@kubernetes/client-node';
import type WebSocket from 'ws';
import { UnavailableError, type ExecExit, type ExecSession, type SandboxedError } from '@sandboxed/plugin-sdk';
import { decodeExecStatus, type ExecStatus } from './exec-status.decoder.js';

/** Opens the pods/exec WebSocket with these streams; `onStatus` gets channel 3's Status. */
export type ExecOpener = (
  stdout: PassThrough,
  stderr: PassThrough,
  stdin: PassThrough,
  onStatus: (status: V1Status) => void,
) => Promise<WebSocket>;

export interface KubeExecSessionOptions {
  tty: boolean;
  timeoutMs?: number;
  /** Signals the exec's whole process tree from inside the sandbox; resolves when done or given up. */
  signalGroup(signal: NodeJS.Signals): Promise<void>;
  /** Asked when the connection ended without an exit status: the sandbox's error if it is the cause. */
  explainEnd(): Promise<SandboxedError | undefined>;
}

/** After a SIGKILL, how long the exec connection may stay open before the session closes it. */
const KILL_GRACE_MS = 3000;
const RESIZE_CHANNEL = 4;

/**
 * One pods/exec call over the channel protocol (client-node's Exec: v5.channel.k8s.io, else v4).
 * Streams end when the status arrives or the connection closes; `wait()` then has the exit code.
 */
export class KubeExecSession implements ExecSession {
  readonly stdout = new PassThrough();
  readonly stderr = new PassThrough();
  readonly stdin: Writable;
  private readonly input = new PassThrough();
  private socket?: WebSocket;
  private status?: ExecStatus;
  private timedOut = false;
  private signalSent: NodeJS.Signals | null = null;
  private closed = false;
  private timer?: NodeJS.Timeout;
  private done!: Promise<ExecExit>;

  constructor(private readonly opts: KubeExecSessionOptions) {
    let lastByte = 0x0a;
    this.stdin = new Writable({
      write: (chunk: Buffer, _enc, cb) => {
        if (this.closed) return cb();
        if (chunk.length > 0) lastByte = chunk[chunk.length - 1]!;
        this.input.write(chunk, () => cb());
      },
      final: (cb) => {
        if (this.closed) return cb();
        // A terminal's EOF is ^D at the start of a line; a pipe's is a half-close (v5 close frame).
        if (opts.tty) this.input.write(lastByte === 0x0a ? '\x04' : '\x04\x04');
        else this.input.end();
        cb();
      },
    });
    this.stdin.on('error', () => undefined);
  }

  /** Connects; rejects when the API server refuses the exec. */
  async start(open: ExecOpener): Promise<this> {
    const socket = await open(
      this.stdout,
      this.stderr,
      this.input,
      (status) => (this.status = decodeExecStatus(status)),
    );
    this.socket = socket;
    socket.on('error', () => undefined);
    const closedOnce = new Promise<void>((resolve) => {
      if (socket.readyState === socket.CLOSED) return resolve();
      socket.once('close', () => resolve());
    });
    this.done = closedOnce.then(() => this.exitStatus());
    this.done.catch(() => undefined);
    if (this.opts.timeoutMs !== undefined && this.opts.timeoutMs > 0) {
      this.timer = setTimeout(() => {
        this.timedOut = true;
        void this.kill('SIGKILL');
      }, this.opts.timeoutMs);
      this.timer.unref();
    }
    return this;
  }

  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const running = !this.closed;
    if (running) this.signalSent ??= signal;
    await this.opts.signalGroup(signal).catch(() => undefined);
    if (running && signal === 'SIGKILL') {
      const t = setTimeout(() => this.socket?.terminate(), KILL_GRACE_MS);
      t.unref();
    }
  }

  async resize(cols: number, rows: number): Promise<void> {
    if (!this.opts.tty || this.closed || !this.socket) return;
    const Width = Math.max(1, Math.min(1000, Math.floor(cols)));
    const Height = Math.max(1, Math.min(1000, Math.floor(rows)));
    const frame = Buffer.concat([Buffer.from([RESIZE_CHANNEL]), Buffer.from(JSON.stringify({ Width, Height }))]);
    await new Promise<void>((resolve) => this.socket!.send(frame, () => resolve()));
  }

  wait(): Promise<ExecExit> {
    return this.done;
  }

  private async exitStatus(): Promise<ExecExit> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.input.destroy();
    // client-node ends the streams when the status arrives; a lost connection must end them too.
    if (!this.stdout.writableEnded) this.stdout.end();
    if (!this.stderr.writableEnded) this.stderr.end();
    const status = this.status;
    if (status && 'exitCode' in status) {
      return { exitCode: status.exitCode, signal: this.signalSent, timedOut: this.timedOut };
    }
    if (this.signalSent !== null) return { exitCode: null, signal: this.signalSent, timedOut: this.timedOut };
    const cause = await this.opts.explainEnd().catch(() => undefined);
    if (cause) throw cause;
    if (status) throw new UnavailableError(`The exec failed in the sandbox: ${status.error}`);
    throw new UnavailableError('The exec connection to the Kubernetes API server was lost before the command ended');
  }
}
