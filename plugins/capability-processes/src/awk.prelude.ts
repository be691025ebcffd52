/**
 * sh prelude: A := a working awk. `awk` can be an /etc/alternatives symlink the sandbox user
 * cannot follow (the local runtime's /etc is not traversable), so fall back to the real names.
 * AI := the flags that make it read a pipe line by line (mawk reads whole blocks otherwise).
 */
export const PICK_AWK = `A=
for a in awk mawk gawk original-awk; do if $a 'BEGIN {}' 2>/dev/null; then A=$a; break; fi; done
[ -n "$A" ] || { echo "no awk in the sandbox" >&2; exit 69; }
case $($A -W version 2>&1) in *mawk*) AI='-W interactive' ;; *) AI= ;; esac`;
