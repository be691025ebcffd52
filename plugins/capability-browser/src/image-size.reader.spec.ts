import { crc32, deflateSync } from 'node:zlib';
import { describe, expect, it } from '@jest/globals';
import { imageSize } from './image-size.reader.js';

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

function pngChunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

function ihdr(width: number, height: number): Buffer {
  const data = Buffer.alloc(13);
  data.writeUInt32BE(width, 0);
  data.writeUInt32BE(height, 4);
  data.set([8, 6, 0, 0, 0], 8); // 8-bit RGBA, deflate, no filter, no interlace
  return pngChunk('IHDR', data);
}

/** A complete RGBA PNG: signature, IHDR, the pixels (each row a filter byte, then 4 bytes a pixel), IEND. */
function png(width: number, height: number): Buffer {
  const rows = Buffer.alloc(height * (1 + width * 4), 0x7f);
  for (let y = 0; y < height; y++) rows[y * (1 + width * 4)] = 0;
  return Buffer.concat([
    PNG_SIGNATURE,
    ihdr(width, height),
    pngChunk('IDAT', deflateSync(rows)),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

/** A JPEG segment: marker, big-endian length (which counts itself), payload. */
function segment(marker: number, payload: number[]): Buffer {
  const length = payload.length + 2;
  return Buffer.from([0xff, marker, length >> 8, length & 0xff, ...payload]);
}

/** A start-of-frame payload: precision, height, width, then each component's id, sampling and table. */
function frame(width: number, height: number): number[] {
  return [8, height >> 8, height & 0xff, width >> 8, width & 0xff, 3, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1];
}

const SOI = Buffer.from([0xff, 0xd8]);
const EOI = Buffer.from([0xff, 0xd9]);
const APP0_JFIF = segment(0xe0, [0x4a, 0x46, 0x49, 0x46, 0x00, 1, 1, 0, 0, 1, 0, 1, 0, 0]);
const DQT = segment(0xdb, [0, ...Array.from({ length: 64 }, (_, i) => i + 1)]);
// A Huffman table whose first bytes would read as a 0x0f0f x 0x0f0f frame if DHT (C4) were taken for a SOF.
const DHT = segment(0xc4, [0x0f, 0x0f, 0x0f, 0x0f, 0x0f, ...Array.from({ length: 16 }, () => 0), 0]);
const SOS = segment(0xda, [3, 1, 0, 2, 0x11, 3, 0x11, 0, 0x3f, 0]);

describe('reading an image’s size from its header', () => {
  it('reads a PNG’s IHDR', () => {
    expect(imageSize(png(3, 2))).toEqual({ width: 3, height: 2 });
    expect(imageSize(Buffer.concat([PNG_SIGNATURE, ihdr(1280, 720)]))).toEqual({ width: 1280, height: 720 });
    expect(imageSize(Buffer.concat([PNG_SIGNATURE, ihdr(70_000, 1)]))).toEqual({ width: 70_000, height: 1 });
  });

  it('reads a baseline JPEG’s frame, past the segments before it', () => {
    const jpeg = Buffer.concat([
      SOI,
      APP0_JFIF,
      DQT,
      DHT,
      segment(0xc0, frame(800, 600)),
      SOS,
      Buffer.from([1, 2, 3]),
      EOI,
    ]);
    expect(imageSize(jpeg)).toEqual({ width: 800, height: 600 });
  });

  it('reads a progressive JPEG’s frame, and skips fill bytes between segments', () => {
    const jpeg = Buffer.concat([SOI, Buffer.from([0xff, 0xff]), APP0_JFIF, segment(0xc2, frame(1280, 720)), SOS, EOI]);
    expect(imageSize(jpeg)).toEqual({ width: 1280, height: 720 });
  });

  it('answers undefined for anything else', () => {
    expect(imageSize(Buffer.alloc(0))).toBeUndefined();
    expect(imageSize(Buffer.from('GIF89a\x01\x00\x01\x00\x00\x00\x00;', 'latin1'))).toBeUndefined();
    expect(imageSize(Buffer.from('<html>not an image, just some text of some length</html>'))).toBeUndefined();
    expect(imageSize(Buffer.from(Array.from({ length: 256 }, (_, i) => (i * 37) & 0xff)))).toBeUndefined();
    // A PNG cut inside its IHDR, and a PNG signature followed by another chunk.
    expect(imageSize(Buffer.concat([PNG_SIGNATURE, ihdr(10, 10)]).subarray(0, 20))).toBeUndefined();
    expect(imageSize(Buffer.concat([PNG_SIGNATURE, pngChunk('tEXt', Buffer.alloc(13))]))).toBeUndefined();
    // A JPEG with no frame, one whose frame lost its 0xFF (what follows is not a segment), and one cut inside
    // its frame.
    expect(imageSize(Buffer.concat([SOI, APP0_JFIF, DQT, SOS, EOI]))).toBeUndefined();
    const unmarked = segment(0xc0, frame(8, 8));
    unmarked[0] = 0x00;
    expect(imageSize(Buffer.concat([SOI, APP0_JFIF, unmarked, SOS, EOI]))).toBeUndefined();
    expect(imageSize(Buffer.concat([SOI, segment(0xc0, frame(8, 8))]).subarray(0, 9))).toBeUndefined();
  });
});
