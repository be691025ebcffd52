import type { Limits } from '@sandboxed/plugin-sdk';
import type { FileType } from './file-listing.dto.js';

/** `find -printf` format of one record: type/size/mtime/relative-path, NUL-terminated. */
export const FIND_RECORD_FORMAT = '%y/%s/%T@/%P\\0';

export interface FindRecord {
  type: FileType;
  size: number;
  mtime: string;
  /** Path relative to the starting point (may contain any byte but NUL). */
  relative: string;
}

const TYPES: Record<string, FileType> = { f: 'file', d: 'directory', l: 'symlink' };

export function fileType(letter: string): FileType {
  return TYPES[letter] ?? 'other';
}

export function epochToIso(seconds: string): string {
  return new Date(Math.round(Number(seconds) * 1000)).toISOString();
}

/** Splits NUL-terminated output; an unterminated tail (output cut at a byte cap) is dropped. */
export function splitNul(buf: Buffer): string[] {
  const parts = buf.toString('utf8').split('\0');
  parts.pop();
  return parts;
}

export function parseFindRecords(buf: Buffer): FindRecord[] {
  return splitNul(buf).map((record) => {
    const [type = '', size = '0', mtime = '0'] = record.split('/', 3);
    const relative = record.slice(type.length + size.length + mtime.length + 3);
    return { type: fileType(type), size: Number(size), mtime: epochToIso(mtime), relative };
  });
}

/** Enough room for the capped number of records with long paths; the byte cap is a backstop. */
export function listingOutputBytes(limits: Limits): number {
  return Math.max(limits.exec.maxOutputBytes, (limits.files.maxListEntries + 1) * 512);
}
