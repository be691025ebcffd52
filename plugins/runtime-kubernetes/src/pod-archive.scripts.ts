/**
 * Archives as tar over exec, the way `kubectl cp` does: the sandbox's own tar, run as the
 * sandbox user, reads or writes the stream. Both scripts take the path as $1 (never parsed by a
 * shell) and exit 3 when it does not exist.
 */
export const MISSING = 3;

/** Extracts stdin into $1; files belong to the sandbox user (a non-root tar cannot chown). */
export const EXTRACT = String.raw`cd -- "$1" 2>/dev/null || { echo "no such directory" >&2; exit 3; }
exec tar -x -f - --no-same-owner --no-overwrite-dir`;

/**
 * Writes `Y` and a tar of $1 (entries named from its basename, like Docker's archive API), or
 * `N` and exits 3 when $1 does not exist: the first byte says which before any tar byte flows.
 */
export const CREATE = String.raw`p=$1
if [ ! -e "$p" ] && [ ! -L "$p" ]; then printf N; exit 3; fi
case $p in /) d=/; b=. ;; *) p=${'$'}{p%/}; d=${'$'}{p%/*}; b=${'$'}{p##*/}; [ -n "$d" ] || d=/ ;; esac
cd -- "$d" || exit 1
printf Y
exec tar -c -f - -- "$b"`;
