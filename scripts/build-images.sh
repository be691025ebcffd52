#!/usr/bin/env bash
# Builds the sandbox images on a machine with no registry: debootstrap a Debian bookworm
# rootfs, add the non-root `sandbox` user (uid 1000) and /workspace, then `docker import`.
# The docker/*.Dockerfile files describe the same images for machines that have a registry.
#
#   scripts/build-images.sh [name...]     names: base python node browser polyglot agent
#
# Default set: $SANDBOXED_IMAGES if set, else "base python node browser polyglot agent"; browser
# (Chromium, fonts, python3: 850 MB, about 2 min cold) is left out with SANDBOXED_IMAGES_BROWSER=0,
# and polyglot (Go, Java, Rust, Ruby, PHP: 1.6 GB, about 2.5 min cold) with SANDBOXED_IMAGES_POLYGLOT=0.
# The browser image also takes $SUITE-security's updates (from $DEBIAN_SECURITY_MIRROR): it renders
# untrusted pages, and Debian ships Chromium's security fixes there between point releases. The
# cache below keeps the Chromium of the first build: remove its rootfs tar to take newer fixes.
#
# Cached by content: each image carries the label sandboxed.image-hash = sha256(script
# version, suite, mirror, package list; and the security mirror for the browser). A second run
# finds the labelled image and skips it.
# Under $SANDBOXED_IMAGE_CACHE (default /var/cache/sandboxed-images) the builder keeps the
# downloaded .debs (debs/) and each finished rootfs as a tar (rootfs/), so a deleted image is
# re-imported in seconds and a changed package list downloads only what is new.
#
# `agent` is not a Debian image: FROM scratch, only the static sandbox agent at /sandbox-agent
# (cc -static of libs/agent/native/*.c with PCRE2), tagged $REPO/agent:<hash> with the first 16 hex
# digits of the sources' sha256, so two versions never share a tag, and $REPO/agent:$TAG. The
# kubernetes runtime's `agentImage` option installs it into every pod from an init container
# (docs/agent.md, docs/operators.md).
set -euo pipefail

SCRIPT_VERSION=1
SUITE="${DEBIAN_SUITE:-bookworm}"
MIRROR="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
SECURITY_MIRROR="${DEBIAN_SECURITY_MIRROR:-http://deb.debian.org/debian-security}"
CACHE="${SANDBOXED_IMAGE_CACHE:-/var/cache/sandboxed-images}"
REPO="${SANDBOXED_IMAGE_REPO:-sandboxed}"
TAG="${SANDBOXED_IMAGE_TAG:-local}"

# coreutils, findutils, grep, tar, bash and util-linux (setsid) are Essential: minbase has them.
# tini: the subreaper every exec runs under on runtimes without docker-init (Kubernetes).
BASE_PACKAGES="procps,ca-certificates,netcat-openbsd,tini"
declare -A EXTRA_PACKAGES=(
  [base]=""
  [python]="python3"
  [node]="nodejs"
  # Depends only (like --no-install-recommends). Liberation is metric-compatible with Arial, Times
  # and Courier, which pages ask for. dbus-x11 provides the dbus-session-bus that GTK's dconf
  # needs: debootstrap cannot pick a virtual package, and apt would pick dbus-user-session, which
  # pulls in systemd.
  [browser]="chromium,fonts-liberation,fonts-dejavu-core,dbus-x11,python3"
  [polyglot]="python3,nodejs,golang-go,default-jdk-headless,rustc,libc6-dev,ruby,php-cli"
)
# Images that also take $SUITE-security's updates after debootstrap.
declare -A SECURITY_UPDATES=([browser]=1)
IMAGE_ENV=(
  'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'
  'ENV LANG=C.UTF-8'
  'ENV HOME=/workspace'
  'WORKDIR /workspace'
  'USER 1000:1000'
  'CMD ["sleep", "infinity"]'
)

AGENT_NATIVE="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/libs/agent/native"
# In this order: the hash is the gateway's own (agentSourceHash in libs/agent/src/agent-binary.builder.ts).
AGENT_SOURCES=("$AGENT_NATIVE/sandbox-agent.c" "$AGENT_NATIVE/agent-builtins.c" "$AGENT_NATIVE/agent-builtins.h")

log() { echo "build-images: $*" >&2; }
die() { log "ERROR: $*"; exit 1; }

packages_of() {
  local extra="${EXTRA_PACKAGES[$1]}"
  echo "${BASE_PACKAGES}${extra:+,$extra}"
}

hash_of() {
  local security=()
  [ -z "${SECURITY_UPDATES[$1]:-}" ] || security=("security $SECURITY_MIRROR $SUITE-security")
  printf '%s\n' "v$SCRIPT_VERSION" "$SUITE" "$MIRROR" "$(packages_of "$1")" "${IMAGE_ENV[@]}" "${security[@]}" |
    sha256sum | cut -c1-16
}

image_hash() {
  docker image inspect --format '{{ index .Config.Labels "sandboxed.image-hash" }}' "$1" 2>/dev/null || true
}

# Adds uid/gid 1000 `sandbox` (home /workspace) by editing the files: minbase has no useradd.
add_sandbox_user() {
  local root="$1"
  grep -q '^sandbox:' "$root/etc/group" || echo 'sandbox:x:1000:' >>"$root/etc/group"
  grep -q '^sandbox:' "$root/etc/passwd" || echo 'sandbox:x:1000:1000:sandbox:/workspace:/bin/bash' >>"$root/etc/passwd"
  grep -q '^sandbox:' "$root/etc/shadow" || echo 'sandbox:!:19000:0:99999:7:::' >>"$root/etc/shadow"
  [ ! -f "$root/etc/gshadow" ] || grep -q '^sandbox:' "$root/etc/gshadow" || echo 'sandbox:!::' >>"$root/etc/gshadow"
  mkdir -p "$root/workspace"
  chown 1000:1000 "$root/workspace"
  chmod 0755 "$root/workspace"
}

# apt-get upgrade from $SUITE-security inside the fresh rootfs. The .debs go through the shared
# cache by hard links (same filesystem), so nothing is mounted into the tree that is later removed.
security_upgrade() {
  local name="$1" root="$2" log="$CACHE/work/$1.security.log"
  log "$name: apt-get upgrade from $SUITE-security"
  echo "deb $SECURITY_MIRROR $SUITE-security main" >"$root/etc/apt/sources.list.d/security.list"
  find "$CACHE/debs" -maxdepth 1 -name '*.deb' -exec ln -f -t "$root/var/cache/apt/archives" {} +
  if ! chroot "$root" /usr/bin/env DEBIAN_FRONTEND=noninteractive sh -c \
    'apt-get update -q -o Acquire::Languages=none && apt-get upgrade -y -q -o Dpkg::Options::=--force-confold' >"$log" 2>&1; then
    tail -n 30 "$log" >&2 || true
    die "$name: security upgrade failed (full log: $log)"
  fi
  find "$root/var/cache/apt/archives" -maxdepth 1 -name '*.deb' -exec ln -f -t "$CACHE/debs" {} +
}

slim_rootfs() {
  local root="$1"
  rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/cache/apt/*.bin "$root"/var/lib/apt/lists/* \
    "$root"/usr/share/doc/* "$root"/usr/share/man/* "$root"/usr/share/info/* "$root"/var/log/*.log \
    "$root"/tmp/* 2>/dev/null || true
}

build_rootfs_tar() {
  local name="$1" hash="$2" out="$3"
  local work="$CACHE/work/$name"
  rm -rf "$work"
  mkdir -p "$work" "$CACHE/debs"
  log "$name: debootstrap $SUITE --include=$(packages_of "$name")"
  if ! debootstrap --variant=minbase --cache-dir="$CACHE/debs" --include="$(packages_of "$name")" \
    "$SUITE" "$work/root" "$MIRROR" >"$CACHE/work/$name.debootstrap.log" 2>&1; then
    tail -n 30 "$CACHE/work/$name.debootstrap.log" >&2 || true
    die "$name: debootstrap failed (full log: $CACHE/work/$name.debootstrap.log)"
  fi
  [ -z "${SECURITY_UPDATES[$name]:-}" ] || security_upgrade "$name" "$work/root"
  add_sandbox_user "$work/root"
  slim_rootfs "$work/root"
  tar -C "$work/root" --numeric-owner -cf "$out.partial" .
  mv "$out.partial" "$out"
  rm -f "$CACHE"/rootfs/"$name"-*.tar.old
  for old in "$CACHE"/rootfs/"$name"-*.tar; do
    [ "$old" = "$out" ] || rm -f "$old"
  done
  rm -rf "$work"
}

import_image() {
  local name="$1" hash="$2" tarfile="$3"
  local ref="$REPO/$name:$TAG"
  local changes=()
  for c in "${IMAGE_ENV[@]}"; do changes+=(-c "$c"); done
  changes+=(-c "LABEL sandboxed.image-hash=$hash sandboxed.image-name=$name")
  docker import "${changes[@]}" "$tarfile" "$ref" >/dev/null
  docker tag "$ref" "$REPO/$name:$hash"
}

build_one() {
  local name="$1"
  [ -n "${EXTRA_PACKAGES[$name]+set}" ] || die "unknown image '$name' (known: ${!EXTRA_PACKAGES[*]})"
  local hash ref started
  hash="$(hash_of "$name")"
  ref="$REPO/$name:$TAG"
  started=$(date +%s)
  if [ "$(image_hash "$ref")" = "$hash" ]; then
    log "$ref is up to date (hash $hash)"
    return
  fi
  local tarfile="$CACHE/rootfs/$name-$hash.tar"
  mkdir -p "$CACHE/rootfs"
  if [ -f "$tarfile" ]; then
    log "$name: re-importing the cached rootfs $tarfile"
  else
    build_rootfs_tar "$name" "$hash" "$tarfile"
  fi
  import_image "$name" "$hash" "$tarfile"
  log "$ref built in $(($(date +%s) - started))s (hash $hash)"
}

apt_install() {
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null ||
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null; }
}

build_agent() {
  local hash ref work started
  hash="$(cat "${AGENT_SOURCES[@]}" | sha256sum | cut -c1-16)"
  ref="$REPO/agent:$hash"
  started=$(date +%s)
  if [ "$(image_hash "$ref")" = "$hash" ]; then
    docker tag "$ref" "$REPO/agent:$TAG"
    log "$ref is up to date"
    return
  fi
  local libc=0 a
  for a in /usr/lib/*-linux-gnu/libc.a; do [ ! -e "$a" ] || libc=1; done
  for a in /usr/lib/*-linux-gnu/libpcre2-8.a; do [ -e "$a" ] || libc=0; done
  if ! command -v cc >/dev/null 2>&1 || [ "$libc" = 0 ]; then
    log "installing gcc, libc6-dev and libpcre2-dev (the agent is linked statically)"
    apt_install gcc libc6-dev libpcre2-dev || die "cannot install gcc, libc6-dev and libpcre2-dev"
  fi
  work="$(mktemp -d)"
  cc -static -O2 -s -DAGENT_PCRE2 -o "$work/sandbox-agent" "$AGENT_NATIVE/sandbox-agent.c" \
    "$AGENT_NATIVE/agent-builtins.c" -lpcre2-8 || { rm -rf "$work"; die "agent: cc -static failed"; }
  chmod 0755 "$work/sandbox-agent"
  tar -C "$work" --numeric-owner --owner=0 --group=0 -cf "$work/rootfs.tar" sandbox-agent
  docker import -c 'ENTRYPOINT ["/sandbox-agent"]' -c 'USER 65534:65534' \
    -c "LABEL sandboxed.image-hash=$hash sandboxed.image-name=agent" "$work/rootfs.tar" "$ref" >/dev/null
  docker tag "$ref" "$REPO/agent:$TAG"
  log "$ref built in $(($(date +%s) - started))s ($(stat -c %s "$work/sandbox-agent") bytes)"
  rm -rf "$work"
}

main() {
  [ "$(id -u)" = 0 ] || die "must run as root (debootstrap needs it)"
  docker version >/dev/null 2>&1 || die "no Docker engine answers; run scripts/ensure-docker.sh first"

  local names=("$@")
  if [ ${#names[@]} -eq 0 ]; then
    read -r -a names <<<"${SANDBOXED_IMAGES:-base python node}"
    [ -n "${SANDBOXED_IMAGES:-}" ] || [ "${SANDBOXED_IMAGES_BROWSER:-1}" = 0 ] || names+=(browser)
    [ -n "${SANDBOXED_IMAGES:-}" ] || [ "${SANDBOXED_IMAGES_POLYGLOT:-1}" = 0 ] || names+=(polyglot)
    [ -n "${SANDBOXED_IMAGES:-}" ] || names+=(agent)
  fi
  local debian=0
  for name in "${names[@]}"; do [ "$name" = agent ] || debian=1; done
  if [ "$debian" = 1 ] && ! command -v debootstrap >/dev/null 2>&1; then
    log "installing debootstrap"
    apt_install debootstrap || die "cannot install debootstrap"
  fi

  mkdir -p "$CACHE"
  # One build at a time per cache (CI steps and developers may overlap).
  exec 9>"$CACHE/.lock"
  flock 9

  local started=$(date +%s)
  for name in "${names[@]}"; do
    if [ "$name" = agent ]; then build_agent; else build_one "$name"; fi
  done
  log "done in $(($(date +%s) - started))s: ${names[*]}"
}

main "$@"
