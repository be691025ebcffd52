/**
 * Shell function `regular PATH`: succeeds for a regular file; for anything else (a FIFO, a socket,
 * a device) it says what the path is on stderr and fails. Opening a FIFO blocks until a writer
 * comes, so every script that reads a file's bytes checks with this first.
 * Include it at the top of a script.
 */
export const REGULAR_FUNCTION = `
regular() {
  [ -f "$1" ] && return 0
  if [ -p "$1" ]; then kind=' (a FIFO)'
  elif [ -S "$1" ]; then kind=' (a socket)'
  elif [ -c "$1" ]; then kind=' (a character device)'
  elif [ -b "$1" ]; then kind=' (a block device)'
  else kind=''; fi
  echo "Not a regular file$kind" >&2
  return 1
}
`;
