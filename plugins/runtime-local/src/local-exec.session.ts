import { spawn, type ChildProcess } from 'node:child_process';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { PassThrough, type Readable, type Writable } from 'node:stream';
import type { ExecExit, ExecSession } from '@sandboxed/plugin-sdk';
import { descendants, killTree } from './process-tree.helpers.js';
import { signalQuietly } from './process.helpers.js';

export interface LocalExecOptions {
  file: string;
  args: string[];
  timeoutMs?: number;
  tty: boolean;
  /** The helper that sets a tty's size, as the sandbox uid. */
  resizer: { helperPath: string; runAs?: { uid: number; gid: number } };
}

/**
 * One exec, as a child that leads its own process group (spawned detached). kill() and the
 * timeout SIGKILL the whole group and every descendant, so background jobs die too.
 */
export class LocalExecSession implements ExecSession {
  readonly stdout: Readable;
  readonly stderr: Readable;
  readonly stdin: Writable;
  private timedOut = false;
  private exited = false;
  private readonly done: Promise<ExecExit>;
  private timer?: NodeJS.Timeout;

  private constructor(
    private readonly child: ChildProcess,
    private readonly tty: boolean,
    timeoutMs: number | undefined,
    private readonly resizer: LocalExecOptions['resizer'],
  ) {
    // Read the child's pipes from the start: Node discards output still unread when a child
    // exits if nothing listens yet (child_process flushStdio), and consumers may attach later.
    this.stdout = child.stdout!.pipe(new PassThrough());
    this.stderr = child.stderr!.pipe(new PassThrough());
    // Writing to a process that already exited must not crash the gateway (EPIPE).
    child.stdin!.on('error', () => undefined);
    if (tty) {
      // On a terminal, end of input is Ctrl-D. `script` must never see EOF on its own stdin:
      // it then stops relaying and can drop the program's last output (util-linux 2.38).
      const input = new PassThrough();
      input.pipe(child.stdin!, { end: false });
      input.once('end', () => {
        if (!this.exited) child.stdin!.write('\x04');
      });
      child.once('exit', () => child.stdin!.destroy());
      this.stdin = input;
    } else {
      this.stdin = child.stdin!;
    }
    child.once('exit', () => {
      this.exited = true;
    });
    this.done = new Promise<ExecExit>((resolve) => {
      child.once('close', (code, signal) => {
        if (this.timer) clearTimeout(this.timer);
        resolve({ exitCode: code, signal, timedOut: this.timedOut });
      });
    });
    if (timeoutMs !== undefined && timeoutMs > 0) {
      this.timer = setTimeout(() => {
        this.timedOut = true;
        void this.kill('SIGKILL');
      }, timeoutMs);
      this.timer.unref();
    }
  }

  /** Spawns and resolves once the process started (rejects if the binary cannot run). */
  static async start(opts: LocalExecOptions): Promise<LocalExecSession> {
    // The helper takes the program's environment as argv; its own environment is empty.
    const child = spawn(opts.file, opts.args, { detached: true, stdio: ['pipe', 'pipe', 'pipe'], env: {} });
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', resolve);
      child.once('error', reject);
    });
    return new LocalExecSession(child, opts.tty, opts.timeoutMs, opts.resizer);
  }

  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const pid = this.child.pid;
    if (pid === undefined) return;
    if (!this.exited) {
      await killTree(pid, signal);
      return;
    }
    // The leader is gone (reaped). While any member of its group lives, the kernel cannot reuse
    // the number, so if /proc/<pid> is absent, -pid still names only our leftover background jobs.
    if (!existsSync(`/proc/${pid}`)) signalQuietly(-pid, signal);
  }

  /**
   * With tty: sets the pty's window size from outside (TIOCSWINSZ on the stdin of the program
   * under `script`, by the helper as the sandbox uid); the kernel then sends SIGWINCH to its
   * foreground group. Without tty: a no-op.
   */
  async resize(cols: number, rows: number): Promise<void> {
    if (!this.tty || this.exited || this.child.pid === undefined) return;
    const c = Math.max(1, Math.min(1000, Math.floor(cols)));
    const r = Math.max(1, Math.min(1000, Math.floor(rows)));
    const onPty = (await descendants(this.child.pid)).find((p) => p.ttyNr !== 0);
    if (!onPty) return;
    const { helperPath, runAs } = this.resizer;
    const identity = runAs ? ['--uid', String(runAs.uid), '--gid', String(runAs.gid)] : [];
    const args = ['resize', '--target', String(onPty.pid), ...identity, '--cols', String(c), '--rows', String(r)];
    await new Promise<void>((resolve) => {
      execFile(helperPath, args, { env: {} }, () => resolve());
    });
  }

  wait(): Promise<ExecExit> {
    return this.done;
  }
}
