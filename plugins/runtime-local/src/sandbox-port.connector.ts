import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { connect as netConnect } from 'node:net';
import { Duplex } from 'node:stream';
import { UnavailableError } from '@sandboxed/plugin-sdk';

function refused(port: number, reason: string): UnavailableError {
  return new UnavailableError(`Cannot connect to port ${port} in the sandbox: ${reason}`, { port });
}

/** Socket-like Duplex over the relay's stdio; closing either side ends the relay. */
class RelayDuplex extends Duplex {
  constructor(
    private readonly child: ChildProcessWithoutNullStreams,
    port: number,
  ) {
    super({ allowHalfOpen: false });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8').slice(0, 1000);
    });
    child.stdout.on('data', (chunk: Buffer) => {
      if (!this.push(chunk)) child.stdout.pause();
    });
    child.stdout.once('end', () => this.push(null));
    child.once('exit', (code) => {
      if (code !== 0 && code !== null)
        this.destroy(refused(port, stderr.replace(/^ERR /, '').trim() || `relay exit ${code}`));
    });
  }

  override _read(): void {
    this.child.stdout.resume();
  }

  // The relay exits as soon as the server closes, so a late write (an HTTP client's empty
  // end-of-request write, say) can meet a closed pipe while the answer is still being read:
  // like a half-closed socket, drop it. A relay that failed exits non-zero and errors above.
  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    if (chunk.length === 0 || this.child.exitCode !== null) return cb();
    this.child.stdin.write(chunk, () => cb());
  }

  override _final(cb: (err?: Error | null) => void): void {
    this.child.stdin.end(() => cb());
  }

  override _destroy(err: Error | null, cb: (err?: Error | null) => void): void {
    this.child.kill('SIGKILL');
    cb(err);
  }
}

/**
 * A TCP connection to 127.0.0.1:<port> in the network namespace of the sandbox holder: the sandbox
 * helper joins it as the sandbox user, reports `OK` or `ERR <code>` on stderr, then relays.
 */
export async function connectInNamespace(
  helperPath: string,
  target: { pid: number; sandboxId: string },
  port: number,
  runAs?: { uid: number; gid: number },
): Promise<Duplex> {
  const identity = runAs ? ['--uid', String(runAs.uid), '--gid', String(runAs.gid)] : [];
  const child = spawn(
    helperPath,
    ['connect', '--target', String(target.pid), '--sandbox', target.sandboxId, ...identity, '--port', String(port)],
    {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: {},
    },
  );
  child.stdin.on('error', () => undefined);
  await new Promise<void>((resolve, reject) => {
    let text = '';
    const onData = (chunk: Buffer): void => {
      text += chunk.toString('utf8');
      if (text.startsWith('OK\n')) {
        child.stderr.off('data', onData);
        resolve();
      } else if (text.includes('\n')) {
        reject(refused(port, text.replace(/^ERR /, '').trim()));
      }
    };
    child.stderr.on('data', onData);
    child.once('error', (err) => reject(refused(port, err.message)));
    child.once('exit', (code, signal) => reject(refused(port, text.trim() || `relay exited (${signal ?? code})`)));
  }).catch((err: unknown) => {
    child.kill('SIGKILL');
    throw err;
  });
  return new RelayDuplex(child, port);
}

/** A plain loopback connection (host network or no isolation). */
export async function connectDirect(port: number): Promise<Duplex> {
  return new Promise<Duplex>((resolve, reject) => {
    const socket = netConnect(port, '127.0.0.1');
    const onError = (err: NodeJS.ErrnoException): void => reject(refused(port, err.code ?? err.message));
    socket.once('error', onError);
    socket.once('connect', () => {
      socket.off('error', onError);
      resolve(socket);
    });
  });
}
