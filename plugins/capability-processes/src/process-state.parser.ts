import { constants } from 'node:os';
import type { ProcessInfo } from './process.dto.js';

const SIGNAL_NAMES = new Map<number, string>(Object.entries(constants.signals).map(([name, n]) => [n, name]));

interface RawState {
  id: string;
  fields: Map<string, string>;
}

function int(value: string | undefined): number | null {
  if (value === undefined || !/^\d{1,16}$/.test(value.trim())) return null;
  return Number(value.trim());
}

function isoOf(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString();
}

/** The sandbox owns these files (and may have scribbled on them): take only well-typed values. */
function parseMeta(raw: string | undefined): Pick<ProcessInfo, 'name' | 'command' | 'argv' | 'cwd'> {
  let meta: Record<string, unknown> = {};
  try {
    const parsed: unknown = JSON.parse(raw ?? '{}');
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) meta = parsed as Record<string, unknown>;
  } catch {
    // unreadable meta: report what the other files say
  }
  const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);
  const argv = Array.isArray(meta.argv) && meta.argv.every((a) => typeof a === 'string') ? (meta.argv as string[]) : [];
  return { name: str(meta.name), command: str(meta.command), argv, cwd: str(meta.cwd) ?? '' };
}

function toInfo({ id, fields }: RawState): ProcessInfo {
  const [statusText, endedText] = (fields.get('exit') ?? '').trim().split(/\s+/);
  const exited = fields.has('exit');
  const code = exited ? int(statusText) : null;
  const killed = fields.has('killed');
  const signal = code !== null && code > 128 ? (SIGNAL_NAMES.get(code - 128) ?? null) : null;
  // No exit file and no supervisor: it died without a trace (e.g. the sandbox was restarted).
  const running = !exited && fields.get('alive') === '1';
  return {
    id,
    ...parseMeta(fields.get('meta')),
    pid: int(fields.get('pid')),
    status: running ? 'running' : killed && (signal !== null || !exited) ? 'killed' : 'exited',
    exitCode: code,
    signal,
    timedOut: fields.get('timedout')?.trim() === '1',
    startedAt: isoOf(int(fields.get('started'))),
    endedAt: exited ? isoOf(int(endedText)) : null,
    lines: int(fields.get('lines')) ?? 0,
    firstLine: int(fields.get('first')) ?? 0,
  };
}

/** Parses the status script's output ("@ id" blocks of "key value" lines). */
export function parseProcessStates(text: string): ProcessInfo[] {
  const states: RawState[] = [];
  for (const line of text.split('\n')) {
    const space = line.indexOf(' ');
    if (space <= 0) continue;
    const key = line.slice(0, space);
    const value = line.slice(space + 1);
    if (key === '@') states.push({ id: value.trim(), fields: new Map() });
    else states.at(-1)?.fields.set(key, value);
  }
  return states.map(toInfo);
}
