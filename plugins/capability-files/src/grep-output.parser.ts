const MAX_TEXT_CHARS = 1000;

export interface RawGrepMatch {
  /** Path as grep printed it (the real path inside the sandbox). */
  file: string;
  line: number;
  text: string;
}

/**
 * Parses `grep -nZ` output: `file NUL line:text LF` per match. File names may hold any byte
 * but NUL, so parsing goes record by record rather than by line. A record cut off at the
 * output cap is dropped.
 */
export function parseGrepOutput(buf: Buffer): RawGrepMatch[] {
  const matches: RawGrepMatch[] = [];
  let pos = 0;
  while (pos < buf.length) {
    const nul = buf.indexOf(0, pos);
    if (nul < 0) break;
    const end = buf.indexOf(0x0a, nul + 1);
    if (end < 0) break;
    const rest = buf.subarray(nul + 1, end).toString('utf8');
    const colon = rest.indexOf(':');
    matches.push({
      file: buf.subarray(pos, nul).toString('utf8'),
      line: Number(rest.slice(0, colon)),
      text: [...rest.slice(colon + 1, colon + 1 + MAX_TEXT_CHARS * 2)].slice(0, MAX_TEXT_CHARS).join(''),
    });
    pos = end + 1;
  }
  return matches;
}
