import type { Readable } from 'node:stream';

/**
 * A raw byte stream in or out of an operation (no base64). Operations that use it declare
 * `http.body: 'octets'` (input) or return a BinaryBody (output); transports that cannot carry
 * raw bytes do not expose them.
 */
export class BinaryBody {
  constructor(
    readonly stream: Readable,
    readonly contentType = 'application/octet-stream',
    readonly size?: number,
  ) {}
}
