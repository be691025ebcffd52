import { PICK_AWK } from './awk.prelude.js';
import { MAKE_ROOT } from './process-root.js';

/**
 * The in-sandbox half of background processes, in POSIX sh + awk so it runs in any image with
 * coreutils, util-linux (`setsid`) and an awk. Everything lives under one hidden folder per
 * process, so any gateway (after a restart, or a second replica) reads the same state:
 *
 *   meta.json      what was started (written by the gateway)
 *   supervisor     "<pid> <starttime>" of the supervisor, to tell it apart from a reused pid
 *   pid, started   the command's pid (= its process group) and start time (epoch ms)
 *   exit           "<status> <ended ms>", written last, after every output line is on disk
 *   killed         the signal process.kill sent (SIGKILL at the timeout)
 *   timedout       "1": the supervisor killed it at its timeout
 *   log.<N>        output lines N, N+1, ...: "o <text>" (stdout) or "e <text>" (stderr)
 *   in             FIFO feeding the command's stdin; stdin.pid holds it open until eof
 */
/** Lines per log segment; KEEP_SEGMENTS are retained, so at least (KEEP - 1) * SEGMENT lines. */
export const LOG_SEGMENT_LINES = 5000;
export const LOG_KEEP_SEGMENTS = 3;

/** Longest log line in bytes; longer output lines are split (on a UTF-8 boundary). */
export const MAX_LOG_LINE_BYTES = 4000;

// Taggers prefix each line with its stream and write it to the shared FIFO with one write(2)
// (lines stay under PIPE_BUF, so stdout and stderr lines never interleave mid-line). The writer
// is the only process that numbers lines: it rolls a new segment every S lines and deletes the
// one K segments back. The supervisor holds the FIFO's write end (fd 3) until the taggers are
// done, so the writer starts, and ends, even when nothing is printed. The command gets its own
// session (its process group is signalled as one) and writes its pid once its pipes are open;
// `env --default-signal` undoes the SIGINT/SIGQUIT ignoring sh gives background jobs. Leftovers
// holding the pipes open get 5 s before the taggers are stopped and the log is closed.
const SUPERVISOR = String.raw`d=$1; S=$2; K=$3; T=$4; cwd=$5; shift 5
echo "$S" >"$d/seg"
${PICK_AWK}
st=$($A '{ sub(/^.*\) /, ""); print $20 }' /proc/$$/stat 2>/dev/null)
echo "$$ $st" >"$d/supervisor"
: >>"$d/log.0"
$A $AI -v d="$d" -v S="$S" -v K="$K" 'BEGIN { n = 0 }
  { if (n % S == 0) { if (f != "") close(f); f = d "/log." n; if (n >= K * S) system("rm -f \"" d "/log." (n - K * S) "\"") }
    print >>f; fflush(f); n++ }' <"$d/l" &
w=$!
exec 3>"$d/l"
sleep 2147483647 <>"$d/in" >/dev/null 2>&1 3>&- &
h=$!
echo "$h" >"$d/stdin.pid"
TAG='{ s = $0
  while (length(s) > M) { k = M; while (k > M - 4 && substr(s, k + 1, 1) >= "\200" && substr(s, k + 1, 1) < "\300") k--
    print t " " substr(s, 1, k) >o; fflush(o); s = substr(s, k + 1) }
  print t " " s >o; fflush(o) }'
LC_ALL=C $A $AI -v t=o -v M=${MAX_LOG_LINE_BYTES} -v o="$d/l" "$TAG" <"$d/o" 3>&- &
to=$!
LC_ALL=C $A $AI -v t=e -v M=${MAX_LOG_LINE_BYTES} -v o="$d/l" "$TAG" <"$d/e" 3>&- &
te=$!
if env --default-signal true 2>/dev/null; then E='env --default-signal'; else E=; fi
date +%s%3N >"$d/started"
setsid sh -c 'echo $$ >"$1/pid.tmp" && mv "$1/pid.tmp" "$1/pid"; cd "$2" || exit 126; shift 2; exec "$@"' sandboxed-run "$d" "$cwd" $E "$@" <"$d/in" >"$d/o" 2>"$d/e" 3>&- &
p=$!
k=
if [ "$T" != 0 ]; then
  ( trap 'kill $s 2>/dev/null; exit 0' TERM; sleep "$T" & s=$!; wait $s || exit 0
    echo 1 >"$d/timedout"; echo SIGKILL >"$d/killed"; kill -s KILL -- "-$p" 2>/dev/null ) 3>&- </dev/null >/dev/null 2>&1 &
  k=$!
fi
wait "$p"
c=$?
[ -z "$k" ] || kill "$k" 2>/dev/null
kill -s KILL -- "-$p" 2>/dev/null
kill "$h" 2>/dev/null
( trap 'kill $s 2>/dev/null; exit 0' TERM; sleep 5 & s=$!; wait $s; kill "$to" "$te" 2>/dev/null ) 3>&- &
x=$!
wait "$to" "$te"
exec 3>&-
wait "$w"
kill "$x" 2>/dev/null
echo "$c $(date +%s%3N)" >"$d/exit.tmp" && mv "$d/exit.tmp" "$d/exit"`;

/** Exit codes of the launcher the gateway maps to errors. */
export const LAUNCH_EXIT = { limit: 75, exists: 73, noCwd: 72 } as const;

/**
 * argv: roots(2) supervisor id maxRunning keepExited segmentLines keepSegments timeout cwd -- command...;
 * stdin: meta.json.
 * Starts the supervisor in its own session (so it outlives this exec and the gateway), waits
 * for the command's pid, and prints "<pid> <started ms>".
 */
const LAUNCHER = String.raw`${MAKE_ROOT}
sup=$1; id=$2; max=$3; keepx=$4; S=$5; K=$6; T=$7; cwd=$8; shift 9
[ -d "$cwd" ] || { echo "no such directory: $cwd" >&2; exit ${LAUNCH_EXIT.noCwd}; }
r=$R
n=0
for x in "$r"/*/; do [ -e "$x/exit" ] || [ ! -e "$x/meta.json" ] || n=$((n + 1)); done
[ "$n" -lt "$max" ] || { echo "$n processes are running" >&2; exit ${LAUNCH_EXIT.limit}; }
ls -dt "$r"/*/exit 2>/dev/null | tail -n +$((keepx + 1)) | sed 's|/exit$||' | while IFS= read -r f; do rm -rf "$f"; done
d=$r/$id
mkdir -m 700 "$d" || exit ${LAUNCH_EXIT.exists}
cat >"$d/meta.json"
mkfifo "$d/in" "$d/o" "$d/e" "$d/l" || exit 1
setsid sh -c "$sup" sandboxed-proc "$d" "$S" "$K" "$T" "$cwd" "$@" </dev/null >/dev/null 2>"$d/supervisor.err" &
i=0
while [ ! -s "$d/pid" ]; do
  i=$((i + 1))
  [ "$i" -le 1000 ] || { echo "the supervisor did not start: $(head -c 500 "$d/supervisor.err")" >&2; exit 1; }
  sleep 0.01
done
echo "$(cat "$d/pid") $(cat "$d/started")"`;

export interface LaunchArgs {
  roots: [string, string];
  id: string;
  cwd: string;
  maxRunning: number;
  keepExited: number;
  /** Kill its process group after this long; 0 never. */
  timeoutMs: number;
  argv: string[];
}

/** The argv of the exec that starts a background process. */
export function launchArgv(args: LaunchArgs): string[] {
  return [
    '/bin/sh',
    '-c',
    LAUNCHER,
    'sandboxed-launch',
    ...args.roots,
    SUPERVISOR,
    args.id,
    String(args.maxRunning),
    String(args.keepExited),
    String(LOG_SEGMENT_LINES),
    String(LOG_KEEP_SEGMENTS),
    // sleep(1) of coreutils and busybox both take fractions.
    args.timeoutMs > 0 ? (args.timeoutMs / 1000).toFixed(3) : '0',
    args.cwd,
    '--',
    ...args.argv,
  ];
}
