/**
 * How a timeout or kill() ends an exec's whole process tree.
 *
 * Docker has no "kill this exec" call, and its exec is a fresh session leader (runc calls
 * setsid), so its process group holds the command and every background job it starts.
 * Every exec therefore runs under a tiny wrapper that appends `<execId> <pid>` to a registry
 * file in the sandbox and then execs the command (same pid, so pid = process group id).
 * To kill, a second exec looks the pid up and signals the whole group: `kill -KILL -<pgid>`.
 * The killer uses only shell builtins, so it needs one process slot even when a fork bomb
 * has used up the pids limit (the runtime retries it while slots are scarce).
 * The registry grows by ~24 bytes per exec and dies with the sandbox.
 */
export const EXEC_REGISTRY = '/tmp/.sandboxed-execs';

const WRAPPER = `{ echo "$0 $$" >>${EXEC_REGISTRY}; } 2>/dev/null; exec "$@"`;

const KILLER = `f=${EXEC_REGISTRY}; n=0; p=
while :; do
  if [ -r "$f" ]; then while read -r i q; do [ "$i" = "$1" ] && p=$q; done <"$f"; fi
  [ -n "$p" ] && break
  n=$((n+1)); [ "$n" -gt 20 ] && { echo none; exit 0; }
  sleep 0.05
done
kill -"$2" -"$p" 2>/dev/null || kill -"$2" "$p" 2>/dev/null
echo "killed $p"`;

const EXEC_ID = /^[a-f0-9]{8,64}$/;
const SIGNAL = /^SIG([A-Z0-9]+)$/;

/** `argv` run through the registering wrapper ($0 carries the exec id). */
export function wrapArgv(execId: string, argv: string[]): string[] {
  if (!EXEC_ID.test(execId)) throw new Error(`invalid exec id ${execId}`);
  return ['/bin/sh', '-c', WRAPPER, execId, ...argv];
}

/** The argv of the exec that sends `signal` to the process group of exec `execId`. */
export function killerArgv(execId: string, signal: NodeJS.Signals): string[] {
  const match = SIGNAL.exec(signal);
  if (!match || !EXEC_ID.test(execId)) throw new Error(`invalid kill request ${execId} ${signal}`);
  return ['/bin/sh', '-c', KILLER, 'sandboxed-kill', execId, match[1]!];
}
