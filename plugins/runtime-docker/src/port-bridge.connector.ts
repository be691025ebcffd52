import { Duplex } from 'node:stream';
import { UnavailableError, type ExecSession } from '@sandboxed/plugin-sdk';

function refused(port: number, reason: string): UnavailableError {
  return new UnavailableError(`Cannot connect to port ${port} in the sandbox: ${reason}`, { port });
}

/** Socket-like Duplex over a bridge exec's stdio; destroying it kills the bridge. */
class BridgeDuplex extends Duplex {
  constructor(private readonly session: ExecSession) {
    super({ allowHalfOpen: false });
    session.stdout.on('data', (chunk: Buffer) => {
      if (!this.push(chunk)) session.stdout.pause();
    });
    session.stdout.once('end', () => this.push(null));
    session.stderr.resume();
  }

  override _read(): void {
    this.session.stdout.resume();
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    this.session.stdin.write(chunk, () => cb());
  }

  override _final(cb: (err?: Error | null) => void): void {
    this.session.stdin.end(() => cb());
  }

  override _destroy(err: Error | null, cb: (err?: Error | null) => void): void {
    void this.session.kill('SIGKILL').catch(() => undefined);
    cb(err);
  }
}

/** Waits for the bridge's `OK`/`ERR` line on stderr, then hands out the Duplex. */
export async function bridgeToDuplex(session: ExecSession, port: number): Promise<Duplex> {
  try {
    await new Promise<void>((resolve, reject) => {
      let text = '';
      const onData = (chunk: Buffer): void => {
        text += chunk.toString('utf8');
        if (text.startsWith('OK\n')) {
          session.stderr.off('data', onData);
          session.stderr.off('end', onEnd);
          resolve();
        } else if (text.includes('\n') || text.length > 1000) {
          reject(refused(port, text.replace(/^ERR /, '').trim()));
        }
      };
      const onEnd = (): void => reject(refused(port, text.trim() || 'the bridge exited'));
      session.stderr.on('data', onData);
      session.stderr.once('end', onEnd);
      session.stdout.pause();
    });
  } catch (err) {
    // The bridge exits by itself after ERR; just let its streams drain.
    session.stdout.resume();
    session.stderr.resume();
    session.stdin.end();
    throw err;
  }
  return new BridgeDuplex(session);
}
