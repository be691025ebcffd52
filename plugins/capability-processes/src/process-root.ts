import { posix } from 'node:path';

/** Where process folders live when the sandbox's /tmp is writable. */
export const PRIMARY_PROCESS_ROOT = '/tmp/.sandboxed/processes';

/**
 * The candidate roots: /tmp first, else a hidden folder in the workdir (some sandboxes, such as
 * the local runtime's, give the sandbox user no writable /tmp). Scripts take both and use the
 * first that exists, so every gateway finds the same folder.
 */
export function processRoots(workdir: string): [string, string] {
  return [PRIMARY_PROCESS_ROOT, posix.join(workdir, '.sandboxed', 'processes')];
}

/** sh prelude: R := the existing root among "$1" "$2"; then drops both arguments. */
export const PICK_ROOT = 'if [ -d "$1" ]; then R=$1; else R=$2; fi; shift 2';

/** sh prelude: like PICK_ROOT, but creates the first root it can. */
export const MAKE_ROOT =
  'if [ -d "$1" ] || mkdir -p "$1" 2>/dev/null; then R=$1; else R=$2; mkdir -p "$R" || exit 1; fi; shift 2';
