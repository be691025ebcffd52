import { NO_SUCH_PROCESS } from './process-log-reader.script.js';
import { PICK_ROOT } from './process-root.js';

/**
 * Prints the state of the given processes (all when none is given), one block each, with
 * shell builtins where it can (one fork per process), so listing many stays quick:
 *   "@ <id>", then "meta <json>", "pid <n>", "started <ms>", "exit <status> <ms>",
 *   "killed <SIG>", "timedout 1", "alive 0|1" (is the supervisor, by pid and start time, still there),
 *   "first <n>" (oldest kept line) and "lines <n>" (lines logged so far).
 */
const STATUS = String.raw`${PICK_ROOT}
r=$R
set -f
if [ $# -eq 0 ]; then [ -d "$r" ] || exit 0; set -- $(ls "$r"); fi
for id in "$@"; do
  case $id in '' | *[!0-9a-f]*) continue ;; esac
  d=$r/$id
  [ -f "$d/meta.json" ] || continue
  echo "@ $id"
  # A last line without a newline still counts (read fails on it but fills v).
  for k in meta.json pid started exit killed timedout; do
    v=
    { [ -f "$d/$k" ] && { IFS= read -r v <"$d/$k" || [ -n "$v" ]; } && echo "${'$'}{k%.json} $v"; } 2>/dev/null
  done
  a=0
  if { read -r sp st <"$d/supervisor" && [ -n "$sp" ] && [ "$sp" -gt 0 ] && read -r stat <"/proc/$sp/stat"; } 2>/dev/null; then
    set -- ${'$'}{stat##*) }
    case $1 in Z | X) ;; *) [ "${'$'}{20}" = "$st" ] && a=1 ;; esac
  fi
  echo "alive $a"
  f=; l=
  set +f
  for s in "$d"/log.*; do
    n=${'$'}{s##*/log.}
    case $n in '' | *[!0-9]*) continue ;; esac
    if [ -z "$f" ] || [ "$n" -lt "$f" ]; then f=$n; fi
    if [ -z "$l" ] || [ "$n" -gt "$l" ]; then l=$n; fi
  done
  set -f
  if [ -n "$l" ]; then echo "first $f"; echo "lines $((l + $(wc -l <"$d/log.$l")))"; fi
done`;

/** Sends a signal to the process group; prints "sent" or "exited". argv: roots id SIGNAME */
const KILL = String.raw`${PICK_ROOT}
d=$R/$1; s=$2
[ -f "$d/pid" ] || exit ${NO_SUCH_PROCESS}
[ -e "$d/exit" ] && { echo exited; exit 0; }
echo "$s" >"$d/killed"
p=$(cat "$d/pid")
kill -s "$s" -- "-$p" 2>/dev/null || kill -s "$s" "$p" 2>/dev/null
echo sent`;

/** Exit codes of the stdin scripts. */
export const STDIN_EXIT = { exited: 4, closed: 5 } as const;

/** Copies this exec's stdin into the process's stdin FIFO. argv: roots id */
const STDIN_WRITE = String.raw`${PICK_ROOT}
d=$R/$1
[ -f "$d/pid" ] || exit ${NO_SUCH_PROCESS}
[ -e "$d/exit" ] && exit ${STDIN_EXIT.exited}
[ -e "$d/stdin.closed" ] && exit ${STDIN_EXIT.closed}
exec cat >"$d/in"`;

/** Closes the process's stdin: the FIFO's last long-lived writer goes away. argv: roots id */
const STDIN_CLOSE = String.raw`${PICK_ROOT}
d=$R/$1
[ -f "$d/pid" ] || exit ${NO_SUCH_PROCESS}
: >"$d/stdin.closed"
[ -e "$d/exit" ] && exit 0
h=$(cat "$d/stdin.pid" 2>/dev/null) && kill "$h" 2>/dev/null
exit 0`;

type Roots = [string, string];

export function statusArgv(roots: Roots, ids: string[] = []): string[] {
  return ['/bin/sh', '-c', STATUS, 'sandboxed-ps', ...roots, ...ids];
}

export function killArgv(roots: Roots, id: string, signal: string): string[] {
  return ['/bin/sh', '-c', KILL, 'sandboxed-kill', ...roots, id, signal.replace(/^SIG/, '')];
}

export function stdinWriteArgv(roots: Roots, id: string): string[] {
  return ['/bin/sh', '-c', STDIN_WRITE, 'sandboxed-stdin', ...roots, id];
}

export function stdinCloseArgv(roots: Roots, id: string): string[] {
  return ['/bin/sh', '-c', STDIN_CLOSE, 'sandboxed-stdin-close', ...roots, id];
}
