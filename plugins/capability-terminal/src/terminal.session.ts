import { StringDecoder } from 'node:string_decoder';
import {
  InvalidArgumentError,
  type ChannelMessage,
  type ExecSession,
  type MessageChannel,
} from '@sandboxed/plugin-sdk';

const MAX_INPUT_CHARS = 64 * 1024;
const HANGUP_GRACE_MS = 1000;

function size(value: unknown, name: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > 1000) {
    throw new InvalidArgumentError(`resize: ${name} must be an integer from 1 to 1000`);
  }
  return value;
}

/**
 * A shell on a PTY as a message channel. In: `{type: 'input', data}`, `{type: 'resize', cols, rows}`.
 * Out: `{type: 'output', data}` as the terminal prints, then one `{type: 'exit', exitCode}`.
 * Closing it kills the shell and everything it started.
 */
export class TerminalSession implements MessageChannel {
  readonly messages: AsyncIterable<ChannelMessage>;
  private closed = false;

  constructor(private readonly session: ExecSession) {
    session.stdin.on('error', () => undefined);
    session.stderr.resume();
    this.messages = this.read();
  }

  private async *read(): AsyncGenerator<ChannelMessage> {
    const decoder = new StringDecoder('utf8');
    for await (const chunk of this.session.stdout as AsyncIterable<Buffer>) {
      const data = decoder.write(chunk);
      if (data) yield { type: 'output', data };
    }
    const rest = decoder.end();
    if (rest) yield { type: 'output', data: rest };
    const exit = await this.session.wait();
    yield { type: 'exit', exitCode: exit.exitCode, signal: exit.signal };
  }

  async send(message: ChannelMessage): Promise<void> {
    if (message.type === 'input') {
      const { data } = message;
      if (typeof data !== 'string' || data.length > MAX_INPUT_CHARS) {
        throw new InvalidArgumentError(`input: data must be a string of at most ${MAX_INPUT_CHARS} characters`);
      }
      if (this.closed || this.session.stdin.writableEnded) return;
      await new Promise<void>((resolve) => this.session.stdin.write(data, () => resolve()));
      return;
    }
    if (message.type === 'resize') {
      await this.session.resize(size(message.cols, 'cols'), size(message.rows, 'rows'));
      return;
    }
    throw new InvalidArgumentError(
      `Unknown message type "${String(message.type).slice(0, 40)}"; send "input" or "resize"`,
    );
  }

  /**
   * A hang-up first, as when a terminal closes: an interactive shell passes it on to its jobs,
   * which may sit in process groups of their own that a group kill would miss. Then SIGKILL.
   */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.session.kill('SIGHUP').catch(() => undefined);
    let timer: NodeJS.Timeout | undefined;
    const grace = new Promise<void>((resolve) => (timer = setTimeout(resolve, HANGUP_GRACE_MS)));
    await Promise.race([this.session.wait(), grace]);
    clearTimeout(timer);
    await this.session.kill('SIGKILL').catch(() => undefined);
  }
}
