import { spawn } from 'node:child_process';
import { connect as netConnect } from 'node:net';
import { Duplex } from 'node:stream';
import { UnavailableError } from '@sandboxed/plugin-sdk';

/**
 * Runs inside the sandbox's network namespace (host mount namespace, so the gateway's own
 * node binary is used): connects to 127.0.0.1:<port>, reports `OK` or `ERR <code>` on stderr,
 * then pipes stdin -> socket -> stdout.
 */
const RELAY_SCRIPT = `
const net = require('net');
const s = net.connect(Number(process.argv[1]), '127.0.0.1');
s.once('connect', () => { process.stderr.write('OK\\n'); process.stdin.pipe(s); s.pipe(process.stdout); });
s.on('error', (e) => { process.stderr.write('ERR ' + (e.code || e.message) + '\\n'); process.exit(1); });
s.on('close', () => process.exit(0));
process.stdin.on('end', () => s.end());
`;

function refused(port: number, reason: string): UnavailableError {
  return new UnavailableError(`Cannot connect to port ${port} in the sandbox: ${reason}`, { port });
}

/** A TCP connection to 127.0.0.1:<port> in the network namespace of `targetPid`. */
export async function connectInNamespace(nsenterPath: string, targetPid: number, port: number): Promise<Duplex> {
  const child = spawn(nsenterPath, ['--target', String(targetPid), '--net', '--', process.execPath, '-e', RELAY_SCRIPT, String(port)], {
    stdio: ['pipe', 'pipe', 'pipe'],
    env: { PATH: '/usr/bin:/bin' },
  });
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
  child.stderr.resume();
  const duplex = Duplex.from({ readable: child.stdout, writable: child.stdin });
  duplex.once('close', () => child.kill('SIGKILL'));
  return duplex;
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
