import { HEADER_BYTES, MAX_PAYLOAD } from './agent.protocol.js';

export interface DecodedFrame {
  type: number;
  id: number;
  payload: Buffer;
}

/** Splits the agent's byte stream into frames; throws on a frame longer than MAX_PAYLOAD. */
export class AgentFrameDecoder {
  private chunks: Buffer[] = [];
  private buffered = 0;

  push(chunk: Buffer): DecodedFrame[] {
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    const frames: DecodedFrame[] = [];
    let buf = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks);
    let off = 0;
    while (buf.length - off >= HEADER_BYTES) {
      const len = buf.readUInt32BE(off);
      if (len > MAX_PAYLOAD) throw new Error(`the agent sent a ${len}-byte frame (limit ${MAX_PAYLOAD})`);
      if (buf.length - off < HEADER_BYTES + len) break;
      frames.push({
        type: buf.readUInt8(off + 4),
        id: buf.readUInt32BE(off + 5),
        payload: buf.subarray(off + HEADER_BYTES, off + HEADER_BYTES + len),
      });
      off += HEADER_BYTES + len;
    }
    buf = buf.subarray(off);
    this.chunks = buf.length ? [buf] : [];
    this.buffered = buf.length;
    return frames;
  }
}
