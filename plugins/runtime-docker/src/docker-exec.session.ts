import { PassThrough, Writable, type Duplex, type Readable } from 'node:stream';
import type { Exec } from 'dockerode';
import type { ExecExit, ExecSession, SandboxedError } from '@sandboxed/plugin-sdk';
import { demuxDockerStream } from './docker-stream.demuxer.js';

export interface DockerExecSessionOptions {
  exec: Exec;
  /** The hijacked attach connection: multiplexed output in, raw stdin out. */
  socket: Duplex;
  tty: boolean;
  timeoutMs?: number;
  /** Signals the exec's whole process tree from inside the sandbox; resolves when done or given up. */
  signalGroup(signal: NodeJS.Signals): Promise<void>;
  /**
   * Asked when the exec never started, vanished, or was SIGKILLed by no one here: the sandbox's
   * error (deleted: NotFound, stopped: Conflict) if that was the cause, which wait() then rejects with.
   */
  explainEnd?(): Promise<SandboxedError | undefined>;
}

/** After a SIGKILL, how long the attach stream may stay open before the session closes it. */
const KILL_GRACE_MS = 3000;
/** How long an exec SIGKILLed by no one here waits to learn whether its sandbox is being removed. */
const KILLED_SETTLE_MS = 1500;
/** After the stream ends, how long to poll until the engine records the exit code. */
const EXIT_POLL_MS = 2000;

/**
 * One Docker exec. Streams end when the attach connection closes (the process and every
 * holder of its stdout are gone); `wait()` then reads the exit code from exec inspect.
 */
export class DockerExecSession implements ExecSession {
  readonly stdout = new PassThrough();
  readonly stderr = new PassThrough();
  readonly stdin: Writable;
  private timedOut = false;
  private signalSent: NodeJS.Signals | null = null;
  private closed = false;
  private forced = false;
  private timer?: NodeJS.Timeout;
  private readonly done: Promise<ExecExit>;

  constructor(private readonly opts: DockerExecSessionOptions) {
    const { socket, tty } = opts;
    socket.on('error', () => undefined);
    if (tty) {
      socket.pipe(this.stdout);
      this.stderr.end();
    } else {
      demuxDockerStream(socket as unknown as Readable, this.stdout, this.stderr);
    }
    let lastByte = 0x0a;
    this.stdin = new Writable({
      write: (chunk: Buffer, _enc, cb) => {
        if (socket.destroyed || !socket.writable) return cb();
        if (chunk.length > 0) lastByte = chunk[chunk.length - 1]!;
        socket.write(chunk, () => cb());
      },
      final: (cb) => {
        if (socket.destroyed || !socket.writable) return cb();
        if (!tty) {
          // Half-close: the engine closes the process's stdin and keeps streaming its output.
          socket.end();
        } else {
          // Half-closing a tty attach makes the engine hang up the terminal (output lost).
          // A terminal's EOF is ^D at the start of a line (a second one ends a partial line).
          socket.write(lastByte === 0x0a ? '\x04' : '\x04\x04');
        }
        cb();
      },
    });
    this.stdin.on('error', () => undefined);

    const closedOnce = new Promise<void>((resolve) => {
      const onClose = (): void => {
        this.closed = true;
        resolve();
      };
      socket.once('close', onClose);
      socket.once('end', () => {
        // The engine finished sending; make sure the connection really goes away.
        if (!socket.writableEnded) socket.end();
        onClose();
      });
    });
    this.done = closedOnce.then(() => this.exitStatus());
    // Rejects only when the sandbox went away; callers that never wait() must not see it unhandled.
    this.done.catch(() => undefined);

    if (opts.timeoutMs !== undefined && opts.timeoutMs > 0) {
      this.timer = setTimeout(() => {
        this.timedOut = true;
        void this.kill('SIGKILL');
      }, opts.timeoutMs);
      this.timer.unref();
    }
  }

  /** Signals every process the exec started (after it ended, its tracker already killed them all). */
  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const running = !this.closed;
    if (running) this.signalSent ??= signal;
    await this.opts.signalGroup(signal).catch(() => undefined);
    if (running && signal === 'SIGKILL') this.forceCloseAfter(KILL_GRACE_MS);
  }

  async resize(cols: number, rows: number): Promise<void> {
    if (!this.opts.tty || this.closed) return;
    const w = Math.max(1, Math.min(1000, Math.floor(cols)));
    const h = Math.max(1, Math.min(1000, Math.floor(rows)));
    await this.opts.exec.resize({ h, w }).catch(() => undefined);
  }

  wait(): Promise<ExecExit> {
    return this.done;
  }

  /** If a process survived the kill (e.g. the pids limit blocked the killer), stop waiting for it. */
  private forceCloseAfter(ms: number): void {
    const t = setTimeout(() => {
      if (this.closed) return;
      this.forced = true;
      this.opts.socket.destroy();
    }, ms);
    t.unref();
  }

  private async exitStatus(): Promise<ExecExit> {
    if (this.timer) clearTimeout(this.timer);
    const deadline = Date.now() + (this.forced ? 0 : EXIT_POLL_MS);
    let exitCode: number | null = null;
    // Never started (runc refused: "cannot exec in a deleted state"), gone with its container, or
    // killed by a signal this session did not send (a DELETE, an engine stop, the OOM killer):
    // ask whether the sandbox is the cause.
    let suspicious: boolean;
    let neverStarted = false;
    for (let delay = 5; ; delay = Math.min(delay * 2, 100)) {
      const info = await this.opts.exec.inspect().catch(() => undefined);
      if (info && !info.Running) {
        exitCode = typeof info.ExitCode === 'number' ? info.ExitCode : null;
        neverStarted = !info.Pid;
        // 126 is also runc refusing to start the process ("cannot exec in a stopped state").
        suspicious =
          !info.Pid ||
          exitCode === null ||
          exitCode < 0 ||
          exitCode === 126 ||
          (exitCode >= 128 && this.signalSent === null);
        break;
      }
      if (!info || Date.now() >= deadline) {
        suspicious = true;
        break;
      }
      await new Promise((r) => setTimeout(r, delay));
    }
    if (suspicious && this.opts.explainEnd) {
      // A forced removal SIGKILLs the container while the engine still calls it running, so a
      // SIGKILL from elsewhere (137) is asked about again for a moment; the OOM killer's stays 137.
      // So is an exec runc never started ("cannot exec in a stopped state"): the container is going.
      const killed = exitCode === 137 && this.signalSent === null;
      const settle = Date.now() + (killed || neverStarted ? KILLED_SETTLE_MS : 0);
      for (;;) {
        const cause = await this.opts.explainEnd().catch(() => undefined);
        if (cause) throw cause;
        if (Date.now() >= settle) break;
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    return { exitCode, signal: this.signalSent, timedOut: this.timedOut };
  }
}
