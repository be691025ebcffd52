/**
 * How an exec's whole process tree ends with it, for runtimes that run commands in containers.
 *
 * Neither Docker nor Kubernetes has a "kill this exec" call, and a process group or session is no boundary: any
 * descendant can call setsid, double-fork or clear its environment. What a descendant cannot
 * shed is its ancestry under a child subreaper (prctl PR_SET_CHILD_SUBREAPER): orphans are
 * re-parented to the nearest subreaper instead of the container's init. Every exec therefore
 * runs as
 *
 *   <tini> -s -- /bin/sh -c TRACKER sandboxed-exec <execId> <mode> <cwd> <argv...>
 *
 * tini with `-s` is the subreaper T: Docker's docker-init (tini, bind-mounted into every container
 * created with `Init: true`, DOCKER_SUBREAPER), or the image's /usr/bin/tini (IMAGE_SUBREAPER). Its child, the tracker W (sh, builtins only), appends
 * `<execId> <T> <T's start time> <W>` to a registry file, changes to the exec's cwd (so runc never
 * resolves a caller's path: its exec only ever enters the workdir), runs the command in a subshell
 * and waits.
 * When the command returns, W kills every remaining descendant of T (mode `k`, the default), in a
 * loop until none is left, so background jobs never outlive the exec; `b` (keepBackground) leaves
 * them, for process.start's launcher. A timeout or kill() runs a second exec, the killer, that
 * looks T up (checking its start time, so a reused pid is never hit) and signals every
 * descendant of T but W; for SIGKILL it repeats until none is left, and W then exits.
 * Both use only shell builtins, so they need one process slot even when a fork bomb has used up
 * the pids limit (the runtime retries the killer while slots are scarce).
 *
 * What this cannot catch: a command that kills its own tracker or subreaper (same uid) orphans
 * its children to the container's init; they then live until the sandbox goes, within its pids,
 * memory and CPU limits. That gives the caller nothing process.start does not (docs/docker.md).
 * The registry grows by ~40 bytes per exec and dies with the sandbox.
 */
export const EXEC_REGISTRY = '/tmp/.sandboxed-execs';
export const DOCKER_SUBREAPER = '/sbin/docker-init';
/** Debian's `tini` package: in every sandboxed image, for runtimes that bring no init of their own. */
export const IMAGE_SUBREAPER = '/usr/bin/tini';
/** The tracker's $0: its command line (and the subreaper's) holds the wrapped argv too. */
export const TRACKER_NAME = 'sandboxed-exec';

/**
 * Shared shell functions (plain strings: they use ${...}). st PID: S=state P=ppid T=start time
 * of PID (fails when it is gone). tree T W: o = the live descendants of T, W excepted. reap T W:
 * SIGKILLs them until none is left (killed processes' orphans re-parent to T, the subreaper).
 */
const PROC = [
  "IFS=' \t\n'",
  'st() { S=; P=; T=; read -r l 2>/dev/null <"/proc/$1/stat" || return 1; set -- ${l##*) }; S=$1; P=$2; T=${20}; }',
  'tree() { D=" $1 "; o=; g=1',
  '  while [ "$g" = 1 ]; do g=',
  '    for d in /proc/[0-9]*; do p=${d#/proc/}',
  '      case $D in *" $p "*) continue ;; esac',
  '      st "$p" || continue',
  '      case $S in Z|X|x) continue ;; esac',
  '      case $D in *" $P "*) D="$D$p "; [ "$p" = "$2" ] || o="$o $p"; g=1 ;; esac',
  '    done',
  '  done; }',
  'reap() { n=0; while tree "$1" "$2"; [ -n "$o" ]; do kill -KILL $o 2>/dev/null; n=$((n+1)); [ "$n" -lt 1000 ] || return 1; done; }',
].join('\n');

const TRACKER = `x=$1; m=$2; w=$3; shift 3
${PROC}
t=$PPID; st "$t"; { echo "$x $t $T $$" >>${EXEC_REGISTRY}; } 2>/dev/null
trap : HUP INT QUIT TERM
cd -P -- "$w" 2>/dev/null || { echo "sandboxed: cannot change to cwd $w: no such directory, or not permitted" >&2; exit 126; }
( exec "$@" )
c=$?
[ "$m" = b ] || reap "$t" "$$"
exit "$c"`;

const KILLER = `${PROC}
f=${EXEC_REGISTRY}; n=0; t=
while :; do
  if [ -r "$f" ]; then while read -r i a b c; do [ "$i" = "$1" ] && { t=$a; ts=$b; w=$c; }; done <"$f"; fi
  [ -n "$t" ] && break
  n=$((n+1)); [ "$n" -gt 20 ] && { echo none; exit 0; }
  sleep 0.05
done
if ! st "$t" || [ "$T" != "$ts" ] || [ "$S" = Z ]; then echo gone; exit 0; fi
if [ "$2" = KILL ]; then reap "$t" "$w"; else tree "$t" "$w"; [ -z "$o" ] || kill -"$2" $o 2>/dev/null; fi
echo "killed $t"`;

const EXEC_ID = /^[a-f0-9]{8,64}$/;
const SIGNAL = /^SIG([A-Z0-9]+)$/;

/** `argv` run under the subreaper and the tracker. */
export function wrapArgv(
  execId: string,
  argv: string[],
  opts: { cwd: string; keepBackground?: boolean; subreaper: string },
): string[] {
  if (!EXEC_ID.test(execId)) throw new Error(`invalid exec id ${execId}`);
  const mode = opts.keepBackground ? 'b' : 'k';
  return [opts.subreaper, '-s', '--', '/bin/sh', '-c', TRACKER, TRACKER_NAME, execId, mode, opts.cwd, ...argv];
}

/** The argv of the exec that sends `signal` to every process exec `execId` started. */
export function killerArgv(execId: string, signal: NodeJS.Signals): string[] {
  const match = SIGNAL.exec(signal);
  if (!match || !EXEC_ID.test(execId)) throw new Error(`invalid kill request ${execId} ${signal}`);
  return ['/bin/sh', '-c', KILLER, 'sandboxed-kill', execId, match[1]!];
}

/** The killer's answer: done (or nothing left to do), as opposed to a failed attempt. */
export const KILLER_DONE = /^(killed|none|gone)/m;
