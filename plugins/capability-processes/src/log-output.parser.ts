import { StringDecoder } from 'node:string_decoder';

export type LogItem =
  | { kind: 'line'; line: number; stream: 'stdout' | 'stderr'; text: string }
  /** Lines before `at` were trimmed away before they could be read. */
  | { kind: 'gap'; dropped: number; at: number }
  | { kind: 'end' }
  | { kind: 'more' }
  | { kind: 'idle' };

/**
 * Turns the log reader's output into numbered lines. Only newline-terminated lines count, so a
 * read cut short (an output cap, a dropped connection) never yields half a line or skips one.
 */
export class LogOutputParser {
  private readonly decoder = new StringDecoder('utf8');
  private pending = '';
  /** The next line's number: where a reader resumes. */
  cursor: number;

  constructor(from: number) {
    this.cursor = from;
  }

  push(chunk: Buffer | string): LogItem[] {
    this.pending += typeof chunk === 'string' ? chunk : this.decoder.write(chunk);
    const items: LogItem[] = [];
    let nl: number;
    while ((nl = this.pending.indexOf('\n')) >= 0) {
      const item = this.parse(this.pending.slice(0, nl));
      this.pending = this.pending.slice(nl + 1);
      if (item) items.push(item);
    }
    return items;
  }

  private parse(raw: string): LogItem | undefined {
    if (raw.startsWith('#at ')) {
      const at = Number(raw.slice(4));
      if (!Number.isSafeInteger(at)) return undefined;
      const dropped = at - this.cursor;
      this.cursor = at;
      return dropped > 0 ? { kind: 'gap', dropped, at } : undefined;
    }
    if (raw === '#end') return { kind: 'end' };
    if (raw === '#more') return { kind: 'more' };
    if (raw === '#idle') return { kind: 'idle' };
    if (raw[0] !== 'o' && raw[0] !== 'e') return undefined; // heartbeats
    return { kind: 'line', line: this.cursor++, stream: raw[0] === 'o' ? 'stdout' : 'stderr', text: raw.slice(2) };
  }
}
