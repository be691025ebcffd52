/** Where the browser keeps its state inside the sandbox: the profile, HOME, the pid and the log. */
export const BROWSER_STATE_DIR = '/tmp/.sandboxed-browser';

/**
 * Headless, no GPU, no first-run or background traffic (which would only hit the sandbox's closed
 * network), a fresh profile each launch, DevTools on loopback inside the sandbox only. Chromium's own
 * sandbox needs user namespaces, which sandboxes do not get; the sandbox is the isolation.
 */
export const CHROMIUM_FLAGS: readonly string[] = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--no-default-browser-check',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-extensions',
  '--disable-breakpad',
  '--disable-dev-shm-usage',
  '--disable-features=Translate,MediaRouter,OptimizationHints',
  '--password-store=basic',
  '--use-mock-keychain',
  '--mute-audio',
  '--hide-scrollbars',
];

/**
 * Started by the gateway as the sandbox user, with fixed arguments only: `$1` the DevTools port,
 * `$2` the downloads directory, `$3`/`$4` the window size. Stops a previous browser of this sandbox
 * (a hung one: the gateway runs this only when DevTools does not answer), then starts Chromium in the
 * background with a fresh profile, HOME and caches under /tmp (so nothing lands in the workspace). The
 * gateway then waits for DevTools to answer on the port.
 */
export const LAUNCH_SCRIPT = `set -eu
dir=${BROWSER_STATE_DIR}
mkdir -p "$dir"
chmod 700 "$dir"
if [ -s "$dir/pid" ]; then
  old=$(cat "$dir/pid")
  if grep -q remote-debugging-port "/proc/$old/cmdline" 2>/dev/null; then kill -9 "$old" 2>/dev/null || true; fi
fi
bin=
for c in /usr/lib/chromium/chromium /usr/bin/chromium /usr/bin/chromium-browser /usr/bin/google-chrome; do
  if [ -x "$c" ]; then bin=$c; break; fi
done
if [ -z "$bin" ]; then
  echo "this sandbox has no Chromium: create it from the browser template" >&2
  exit 3
fi
rm -rf "$dir/profile"
mkdir -p "$dir/profile" "$dir/home" "$2"
HOME="$dir/home" XDG_CONFIG_HOME="$dir/home/.config" XDG_CACHE_HOME="$dir/home/.cache" setsid "$bin" ${CHROMIUM_FLAGS.join(' ')} \\
  --user-data-dir="$dir/profile" --remote-debugging-port="$1" --remote-allow-origins="http://127.0.0.1:$1" \\
  --window-size="$3,$4" about:blank </dev/null >"$dir/chromium.log" 2>&1 &
echo $! >"$dir/pid"
`;

/** Reads the end of the browser's log, to explain a launch that never answered. */
export const LOG_TAIL_SCRIPT = `tail -c 2000 ${BROWSER_STATE_DIR}/chromium.log 2>/dev/null || true`;
