/** Longest line shown whole; longer ones are cut, as `cat -n`-style readers of coding agents do. */
export const MAX_LINE_CHARS = 2000;

export interface LineWindow {
  /** The lines, each as `<number right-aligned in 6>\t<text>`, joined by newlines. */
  text: string;
  /** 1-based number of the first and last line shown (0 and 0 when none). */
  first: number;
  last: number;
  /** Lines in the whole text. */
  total: number;
  /** How many shown lines were cut at MAX_LINE_CHARS. */
  cut: number;
}

/** The lines of `content`, split on `\n` (a final newline ends the last line rather than starting another). */
export function splitLines(content: string): string[] {
  if (content === '') return [];
  const lines = content.split('\n');
  if (lines.at(-1) === '') lines.pop();
  return lines.map((line) => (line.endsWith('\r') ? line.slice(0, -1) : line));
}

/** `limit` lines from 1-based line `offset` on, numbered like `cat -n`. */
export function lineWindow(content: string, offset: number, limit: number): LineWindow {
  const lines = splitLines(content);
  const start = Math.max(1, offset);
  const shown = lines.slice(start - 1, start - 1 + limit);
  let cut = 0;
  const text = shown
    .map((line, i) => {
      let body = line;
      if (body.length > MAX_LINE_CHARS) {
        cut += 1;
        body = `${body.slice(0, MAX_LINE_CHARS)}… [line cut at ${MAX_LINE_CHARS} characters]`;
      }
      return `${String(start + i).padStart(6)}\t${body}`;
    })
    .join('\n');
  return {
    text,
    first: shown.length ? start : 0,
    last: shown.length ? start + shown.length - 1 : 0,
    total: lines.length,
    cut,
  };
}
