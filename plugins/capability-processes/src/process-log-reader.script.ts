import { PICK_AWK } from './awk.prelude.js';
import { PICK_ROOT } from './process-root.js';

/** Exit code of the in-sandbox scripts when the process does not exist. */
export const NO_SUCH_PROCESS = 3;

/**
 * Prints log lines from line `cursor` on, as written by the supervisor, plus control lines:
 *   "#at N"   the next printed line is line N (at the start, and after trimmed lines were skipped)
 *   "#more"   `limit` lines were printed and more are available now
 *   "#idle"   no more lines for now (the process still runs)
 *   "#end"    the process exited and every line was printed
 *   "#hb"     heartbeat while following
 * A follower stops when its stdin closes (the gateway went away, even without a goodbye) or a
 * write fails (whoever read its output is gone); a trimmed segment is skipped, not an error.
 * Only complete lines are printed: `wc -l` counts newlines, and the file only grows, so the
 * lines up to that count are final even while the writer appends.
 * argv: primaryRoot fallbackRoot id cursor limit(0 = none) follow(0|1)
 */
const READER = String.raw`${PICK_ROOT}
${PICK_AWK}
d=$R/$1; c=$2; lim=$3; fol=$4
S=$(cat "$d/seg" 2>/dev/null) || exit ${NO_SUCH_PROCESS}
case $S in '' | *[!0-9]* | 0) echo "bad segment size" >&2; exit 1 ;; esac
seg=$((c / S * S)); pos=$((c - seg)); sent=0; idle=0
if [ "$fol" = 1 ]; then
  exec 3<&0
  sh -c 'cat >/dev/null; kill "$1"' sandboxed-logs-watch $$ <&3 >/dev/null 2>&1 &
  w=$!
  trap 'kill $w 2>/dev/null' EXIT
fi
echo "#at $c" || exit 1
while :; do
  [ -d "$d" ] || exit ${NO_SUCH_PROCESS}
  [ -e "$d/exit" ] && fin=1 || fin=0
  n=$( { wc -l <"$d/log.$seg"; } 2>/dev/null) || n=
  if [ -z "$n" ]; then
    old=$(ls "$d" | sed -n 's/^log\.\([0-9][0-9]*\)$/\1/p' | sort -n | head -n 1)
    if [ -n "$old" ] && [ "$old" -gt "$seg" ]; then seg=$old; pos=0; echo "#at $old" || exit 1; continue; fi
  else
    b=$n
    if [ "$lim" -gt 0 ] && [ $((b - pos)) -gt $((lim - sent)) ]; then b=$((pos + lim - sent)); fi
    if [ "$b" -gt "$pos" ]; then
      if ! $A -v a="$pos" -v b="$b" 'NR > a && NR <= b' "$d/log.$seg" 2>/dev/null; then
        [ -e "$d/log.$seg" ] && exit 1
        continue
      fi
      sent=$((sent + b - pos)); pos=$b; idle=0
      if [ "$lim" -gt 0 ] && [ "$sent" -ge "$lim" ]; then
        if [ "$fin" = 1 ] && [ "$b" -eq "$n" ] && [ ! -e "$d/log.$((seg + S))" ]; then echo "#end"; else echo "#more"; fi
        exit 0
      fi
    fi
    if [ "$pos" -ge "$S" ] && [ -e "$d/log.$((seg + S))" ]; then seg=$((seg + S)); pos=0; continue; fi
  fi
  if [ "$fin" = 1 ]; then echo "#end"; exit 0; fi
  [ "$fol" = 1 ] || { echo "#idle"; exit 0; }
  idle=$((idle + 1))
  if [ "$idle" -ge 50 ]; then echo "#hb" || exit 1; idle=0; fi
  sleep 0.1
done`;

/** The argv of the exec that reads (or follows) a process's log from `cursor`. */
export function readLogArgv(
  roots: [string, string],
  id: string,
  cursor: number,
  limit: number,
  follow: boolean,
): string[] {
  return ['/bin/sh', '-c', READER, 'sandboxed-logs', ...roots, id, String(cursor), String(limit), follow ? '1' : '0'];
}
