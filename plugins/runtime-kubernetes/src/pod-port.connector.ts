import { Duplex, PassThrough } from 'node:stream';
import type WebSocket from 'ws';
import { UnavailableError } from '@sandboxed/plugin-sdk';

/** Opens pods/portforward for one port with these streams (client-node's PortForward). */
export type PortForwardOpener = (output: PassThrough, errors: PassThrough, input: PassThrough) => Promise<WebSocket>;

/**
 * A socket-like Duplex over a pods/portforward WebSocket (v4.channel.k8s.io: data on channel 0,
 * errors on channel 1, each opened by the port number). The kubelet dials the port when the
 * stream opens; a refusal arrives on the error channel and fails the Duplex with its words.
 * Destroying the Duplex closes the WebSocket, and with it the connection in the pod.
 */
class PortForwardDuplex extends Duplex {
  private socket?: WebSocket;

  constructor(
    private readonly port: number,
    private readonly output: PassThrough,
    private readonly input: PassThrough,
    errors: PassThrough,
  ) {
    super({ allowHalfOpen: false });
    output.on('data', (chunk: Buffer) => {
      if (!this.push(chunk)) output.pause();
    });
    let text = '';
    errors.on('data', (chunk: Buffer) => {
      text += chunk.toString('utf8');
      if (text.length > 0) {
        this.destroy(
          new UnavailableError(`Cannot connect to port ${port} in the sandbox: ${text.slice(0, 500)}`, { port }),
        );
      }
    });
  }

  attach(socket: WebSocket): this {
    this.socket = socket;
    socket.on('error', (err) => this.destroy(err));
    // client-node never ends the output stream: the WebSocket closing is the connection's end.
    socket.once('close', () => {
      if (!this.destroyed) this.push(null);
    });
    return this;
  }

  override _read(): void {
    this.output.resume();
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    this.input.write(chunk, () => cb());
  }

  override _final(cb: (err?: Error | null) => void): void {
    // v4 port-forward has no half-close: the response still has to come back on this connection.
    cb();
  }

  override _destroy(err: Error | null, cb: (err?: Error | null) => void): void {
    this.socket?.close();
    this.input.destroy();
    cb(err);
  }
}

export async function portForwardDuplex(port: number, open: PortForwardOpener): Promise<Duplex> {
  const output = new PassThrough();
  const errors = new PassThrough();
  const input = new PassThrough();
  const duplex = new PortForwardDuplex(port, output, input, errors);
  return duplex.attach(await open(output, errors, input));
}
