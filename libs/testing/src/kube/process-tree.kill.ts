import { readdirSync, readFileSync } from 'node:fs';

/**
 * SIGKILLs a host process and all its descendants (best effort). The fake uses it to close a
 * port-forward's connection in the pod (a kubelet holds that socket itself; here a `docker exec`
 * bridge does) when the client goes away: Docker has no API to kill an exec, but its Pid (from
 * exec inspect) is a host pid when the engine runs on this machine.
 */
export function killProcessTree(pid: number): void {
  if (!Number.isInteger(pid) || pid <= 1) return;
  const children = new Map<number, number[]>();
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return;
  }
  for (const e of entries) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const stat = readFileSync(`/proc/${e}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const list = children.get(ppid) ?? [];
      list.push(Number(e));
      children.set(ppid, list);
    } catch {
      // gone meanwhile
    }
  }
  const all: number[] = [];
  const walk = (p: number): void => {
    all.push(p);
    for (const c of children.get(p) ?? []) walk(c);
  };
  walk(pid);
  for (const p of all) {
    try {
      process.kill(p, 'SIGKILL');
    } catch {
      // already gone, or not ours to signal (remote engine)
    }
  }
}
