import { UnavailableError, type ExecRequest, type ExecSession } from '@sandboxed/plugin-sdk';
import { AgentExecSession } from './agent-exec.session.js';
import { AgentFrameDecoder } from './agent-frame.decoder.js';
import { AGENT_VERSION, execPayload, Frame, frame, MAX_PAYLOAD } from './agent.protocol.js';

const HELLO_TIMEOUT_MS = 10_000;
/** Commands one agent runs at once (the agent's own table holds 1024). */
export const MAX_COMMANDS = 1000;

/**
 * One sandbox's agent, over the exec stream that started it. Everything the agent sends is
 * untrusted: an unknown frame, a frame for an id not in flight, output beyond the granted credit
 * or an oversized frame ends the connection (the agent is killed), failing every command in
 * flight with a clear error; the next operation starts a new agent.
 */
export class AgentConnection {
  private readonly decoder = new AgentFrameDecoder();
  private readonly commands = new Map<number, AgentExecSession>();
  private nextId = 1;
  private names = new Set<string>();
  private closedReason?: string;
  private closedError?: Error;
  private readonly hello: Promise<void>;
  readonly closed: Promise<string>;
  private resolveHello!: () => void;
  private rejectHello!: (err: Error) => void;
  private resolveClosed!: (reason: string) => void;

  constructor(private readonly session: ExecSession) {
    this.hello = new Promise((resolve, reject) => {
      this.resolveHello = resolve;
      this.rejectHello = reject;
    });
    this.hello.catch(() => undefined);
    this.closed = new Promise((resolve) => (this.resolveClosed = resolve));
    session.stdout.on('data', (chunk: Buffer) => this.onData(chunk));
    session.stdout.on('error', (err) => this.close(`its stream failed: ${err.message}`));
    session.stderr.resume();
    session.stderr.on('error', () => undefined);
    session.stdin.on('error', (err) => this.close(`its stdin failed: ${err.message}`));
    void session.wait().then(
      (exit) => this.close(`it exited (${exit.signal ?? `code ${exit.exitCode}`})`),
      // The runtime's own reason (the sandbox was deleted: 404, stopped: 409) is what callers get.
      (err: Error) => this.close(`it failed: ${err.message}`, err),
    );
  }

  /** Resolves when the agent has said hello with the expected version. */
  async ready(): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no hello within ${HELLO_TIMEOUT_MS} ms`)), HELLO_TIMEOUT_MS);
    });
    try {
      await Promise.race([this.hello, timeout]);
    } catch (err) {
      this.close(`it did not start: ${(err as Error).message}`);
      throw err;
    } finally {
      clearTimeout(timer);
    }
  }

  get isOpen(): boolean {
    return this.closedReason === undefined;
  }

  /** The built-ins this agent said it has (its build may lack grep: no PCRE2 where it was built). */
  get builtins(): ReadonlySet<string> {
    return this.names;
  }

  get inFlight(): number {
    return this.commands.size;
  }

  exec(req: ExecRequest & { cwd: string }): ExecSession {
    if (!this.isOpen) throw this.closedError ?? new UnavailableError(`the sandbox agent is gone: ${this.closedReason}`);
    if (this.commands.size >= MAX_COMMANDS) {
      throw new UnavailableError(`at most ${MAX_COMMANDS} commands run at once in one sandbox`);
    }
    const payload = execPayload(req);
    if (payload.length > MAX_PAYLOAD) {
      throw new UnavailableError('the command, its cwd and env exceed the 1 MiB the agent accepts in one request');
    }
    while (this.commands.has(this.nextId) || this.nextId === 0) this.nextId = (this.nextId + 1) >>> 0;
    const id = this.nextId;
    this.nextId = (this.nextId + 1) >>> 0;
    const cmd = new AgentExecSession((type, p) => this.write(frame(type, id, p)));
    this.commands.set(id, cmd);
    void cmd.wait().then(
      () => this.commands.delete(id),
      () => this.commands.delete(id),
    );
    this.write(frame(Frame.exec, id, payload));
    cmd.open();
    return cmd;
  }

  /** Ends the agent and fails what is in flight (with `error`, or a 503 naming `reason`). Idempotent. */
  close(reason: string, error?: Error): void {
    if (this.closedReason !== undefined) return;
    this.closedReason = reason;
    this.closedError = error;
    this.rejectHello(error ?? new Error(reason));
    const err =
      error ?? new UnavailableError(`the sandbox agent stopped mid-command (${reason}); run the command again`);
    for (const cmd of this.commands.values()) cmd.fail(err);
    this.commands.clear();
    this.session.stdout.destroy();
    this.session.stdin.destroy();
    void this.session.kill().catch(() => undefined);
    this.resolveClosed(reason);
  }

  private write(data: Buffer): void {
    if (this.isOpen) this.session.stdin.write(data);
  }

  private onData(chunk: Buffer): void {
    if (!this.isOpen) return;
    try {
      for (const f of this.decoder.push(chunk)) {
        const problem = this.onFrame(f.type, f.id, f.payload);
        if (problem) return this.close(`it broke the protocol: ${problem}`);
      }
    } catch (err) {
      this.close(`it broke the protocol: ${(err as Error).message}`);
    }
  }

  /** A description of what was wrong with the frame, or undefined. */
  private onFrame(type: number, id: number, payload: Buffer): string | undefined {
    if (type === Frame.hello) {
      const [version, builtins = ''] = payload.toString().split('\n', 2);
      if (version !== AGENT_VERSION) return `version "${version!.slice(0, 64)}"`;
      this.names = new Set(builtins.split(' ').filter(Boolean));
      this.resolveHello();
      return undefined;
    }
    if (type === Frame.fatal) return `it gave up: ${payload.toString().slice(0, 200)}`;
    if (type === Frame.pong) return undefined;
    const cmd = this.commands.get(id);
    if (!cmd) return `frame ${type} for command ${id}, which is not running`;
    switch (type) {
      case Frame.stdout:
      case Frame.stderr:
        return cmd.onOutput(type === Frame.stdout ? 0 : 1, payload) ? undefined : 'output beyond its credit';
      case Frame.stdinAck:
        return payload.length === 4 && cmd.onStdinAck(payload.readUInt32BE(0)) ? undefined : 'a bad stdin ack';
      case Frame.exit:
        return cmd.onExit(payload) ? undefined : 'a bad exit frame';
      default:
        return `unknown frame type ${type}`;
    }
  }
}
