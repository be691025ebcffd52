import { readdir } from 'node:fs/promises';
import { readProcFile, signalQuietly } from './process.helpers.js';

export interface ProcStat {
  pid: number;
  ppid: number;
  pgrp: number;
  ttyNr: number;
}

async function readStat(pid: number): Promise<ProcStat | undefined> {
  try {
    const raw = await readProcFile(`/proc/${pid}/stat`);
    const fields = raw.slice(raw.lastIndexOf(')') + 2).split(' ');
    // after "(comm) ": state ppid pgrp session tty_nr ...
    return { pid, ppid: Number(fields[1]), pgrp: Number(fields[2]), ttyNr: Number(fields[4]) };
  } catch {
    return undefined;
  }
}

/** All live descendants of `root` (not including it), from a /proc snapshot. */
export async function descendants(root: number): Promise<ProcStat[]> {
  const pids = (await readdir('/proc')).filter((n) => /^\d+$/.test(n)).map(Number);
  const stats = (await Promise.all(pids.map(readStat))).filter((s): s is ProcStat => s !== undefined);
  const children = new Map<number, ProcStat[]>();
  for (const s of stats) {
    const list = children.get(s.ppid) ?? [];
    list.push(s);
    children.set(s.ppid, list);
  }
  const out: ProcStat[] = [];
  const queue = [root];
  while (queue.length > 0) {
    for (const c of children.get(queue.shift()!) ?? []) {
      out.push(c);
      queue.push(c.pid);
    }
  }
  return out;
}

/**
 * Kills an exec's whole tree: the process group it leads (catches orphaned background
 * jobs), plus every descendant and the groups they lead (catches `setsid` children, such as
 * the program under `script` for a tty).
 */
export async function killTree(leader: number, signal: NodeJS.Signals): Promise<void> {
  const tree = await descendants(leader).catch(() => [] as ProcStat[]);
  signalQuietly(-leader, signal);
  for (const p of tree) {
    if (p.pgrp > 1 && p.pgrp !== process.pid) signalQuietly(-p.pgrp, signal);
    signalQuietly(p.pid, signal);
  }
}
