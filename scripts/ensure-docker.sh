#!/usr/bin/env bash
# Makes sure a Docker engine answers on this machine, installing and starting Debian's
# docker.io if needed. Idempotent: returns at once when an engine already answers.
# Fails loudly (non-zero exit, with the tail of the daemon log) when it cannot start one.
#
#   DOCKER_SOCKET    socket to use (default /var/run/docker.sock)
#   DOCKERD_LOG      daemon log file (default /tmp/dockerd.log)
#   DOCKERD_WAIT_S   seconds to wait for the socket (default 60)
set -euo pipefail

SOCKET="${DOCKER_SOCKET:-/var/run/docker.sock}"
LOG="${DOCKERD_LOG:-/tmp/dockerd.log}"
WAIT_S="${DOCKERD_WAIT_S:-60}"

log() { echo "ensure-docker: $*" >&2; }
fail() {
  log "ERROR: $*"
  if [ -f "$LOG" ]; then
    log "last lines of $LOG:"
    tail -n 30 "$LOG" >&2 || true
  fi
  exit 1
}

# `docker version` talks to the engine; the client alone is not enough.
engine_answers() {
  command -v docker >/dev/null 2>&1 && docker -H "unix://$SOCKET" version --format '{{.Server.Version}}' >/dev/null 2>&1
}

if engine_answers; then
  log "engine answers on $SOCKET ($(docker -H "unix://$SOCKET" version --format '{{.Server.Version}}'))"
  exit 0
fi

if ! command -v dockerd >/dev/null 2>&1; then
  [ "$(id -u)" = 0 ] || fail "dockerd is not installed and this script is not root (install docker.io first)"
  log "installing Debian's docker.io"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq || fail "apt-get update failed"
  apt-get install -y -qq --no-install-recommends docker.io >/dev/null || fail "apt-get install docker.io failed"
fi
command -v dockerd >/dev/null 2>&1 || fail "dockerd not found after installing docker.io"

# A socket with no daemon behind it (left by a crashed dockerd) would block the new one.
if [ -S "$SOCKET" ] && ! pgrep -x dockerd >/dev/null 2>&1; then
  rm -f "$SOCKET"
fi

if ! pgrep -x dockerd >/dev/null 2>&1; then
  [ "$(id -u)" = 0 ] || fail "dockerd must be started as root"
  log "starting dockerd (log: $LOG)"
  # setsid + nohup: the daemon outlives this script and the CI step that ran it.
  setsid nohup dockerd -H "unix://$SOCKET" >"$LOG" 2>&1 </dev/null &
fi

for _ in $(seq 1 "$((WAIT_S * 4))"); do
  if engine_answers; then
    log "engine is up on $SOCKET ($(docker -H "unix://$SOCKET" version --format '{{.Server.Version}}'))"
    exit 0
  fi
  pgrep -x dockerd >/dev/null 2>&1 || fail "dockerd exited during startup"
  sleep 0.25
done
fail "the Docker engine did not answer on $SOCKET within ${WAIT_S}s"
