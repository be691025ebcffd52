/**
 * connect(port) without a network path from the gateway (runtime-docker; the fake kubelet's
 * port-forward): sandboxes default to network `none`, so there is no container IP to dial.
 * Instead an exec inside the sandbox opens
 * 127.0.0.1:<port> and bridges it to its stdio, which the gateway sees as a Duplex.
 *
 * The bridge prints `OK` (or `ERR <reason>`) on stderr once the connection is (not) made,
 * then copies bytes both ways until the server closes the connection.
 * bash's /dev/tcp is used because bash is Essential in Debian (every image has it) and starts
 * in about a millisecond; python3 is the fallback for images without bash. (OpenBSD `nc`
 * was rejected: it does not exit when the server closes while its stdin is still open.)
 */
const BASH_BRIDGE = `{ exec 3<>"/dev/tcp/127.0.0.1/$1"; } 2>/dev/null || { echo "ERR connection refused" >&2; exit 1; }
echo OK >&2
exec 4<&0 0</dev/null
cat <&4 >&3 &
cat <&3
kill $! 2>/dev/null
exit 0`;

const PYTHON_BRIDGE = `import os, socket, sys, threading
try:
    s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
except OSError as e:
    sys.stderr.write("ERR %s\\n" % (e.strerror or e)); sys.exit(1)
sys.stderr.write("OK\\n"); sys.stderr.flush()
def up():
    while True:
        d = os.read(0, 65536)
        if not d: break
        s.sendall(d)
    try: s.shutdown(socket.SHUT_WR)
    except OSError: pass
threading.Thread(target=up, daemon=True).start()
while True:
    d = s.recv(65536)
    if not d: break
    while d: d = d[os.write(1, d):]
`;

const SELECT = `if command -v bash >/dev/null 2>&1; then exec bash -c "$2" bridge "$1"; fi
if command -v python3 >/dev/null 2>&1; then exec python3 -c "$3" "$1"; fi
echo "ERR the image has neither bash nor python3 to bridge the connection" >&2; exit 127`;

export function bridgeArgv(port: number): string[] {
  return ['/bin/sh', '-c', SELECT, 'sandboxed-bridge', String(port), BASH_BRIDGE, PYTHON_BRIDGE];
}
