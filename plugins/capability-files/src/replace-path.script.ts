/**
 * Shell function `replace SRC DST`: renames SRC to exactly DST (never into it, hence -T),
 * replacing a DST of the same kind; a directory DST is replaced only by a directory.
 * Include it at the top of a script.
 */
export const REPLACE_FUNCTION = `
replace() {
  if [ -d "$2" ] && [ ! -L "$2" ]; then
    if [ -d "$1" ] && [ ! -L "$1" ]; then rm -rf -- "$2" || return 1
    else echo "cannot overwrite directory with non-directory" >&2; return 1; fi
  fi
  mv -f -T -- "$1" "$2"
}
exists() { [ -e "$1" ] || [ -L "$1" ]; }
`;
