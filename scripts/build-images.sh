#!/usr/bin/env bash
# Builds the sandbox images on a machine with no registry: debootstrap a Debian bookworm
# rootfs, add the non-root `sandbox` user (uid 1000) and /workspace, then `docker import`.
# The docker/*.Dockerfile files describe the same images for machines that have a registry.
#
#   scripts/build-images.sh [name...]     names: base python node polyglot
#
# Default set: $SANDBOXED_IMAGES if set, else "base python node polyglot"; polyglot (Go, Java,
# Rust, Ruby, PHP: 1.6 GB, about 2.5 min cold) is left out with SANDBOXED_IMAGES_POLYGLOT=0.
#
# Cached by content: each image carries the label sandboxed.image-hash = sha256(script
# version, suite, mirror, package list). A second run finds the labelled image and skips it.
# Under $SANDBOXED_IMAGE_CACHE (default /var/cache/sandboxed-images) the builder keeps the
# downloaded .debs (debs/) and each finished rootfs as a tar (rootfs/), so a deleted image is
# re-imported in seconds and a changed package list downloads only what is new.
set -euo pipefail

SCRIPT_VERSION=1
SUITE="${DEBIAN_SUITE:-bookworm}"
MIRROR="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
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
  [polyglot]="python3,nodejs,golang-go,default-jdk-headless,rustc,libc6-dev,ruby,php-cli"
)
IMAGE_ENV=(
  'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'
  'ENV LANG=C.UTF-8'
  'ENV HOME=/workspace'
  'WORKDIR /workspace'
  'USER 1000:1000'
  'CMD ["sleep", "infinity"]'
)

log() { echo "build-images: $*" >&2; }
die() { log "ERROR: $*"; exit 1; }

packages_of() {
  local extra="${EXTRA_PACKAGES[$1]}"
  echo "${BASE_PACKAGES}${extra:+,$extra}"
}

hash_of() {
  printf '%s\n' "v$SCRIPT_VERSION" "$SUITE" "$MIRROR" "$(packages_of "$1")" "${IMAGE_ENV[@]}" |
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

main() {
  [ "$(id -u)" = 0 ] || die "must run as root (debootstrap needs it)"
  docker version >/dev/null 2>&1 || die "no Docker engine answers; run scripts/ensure-docker.sh first"
  if ! command -v debootstrap >/dev/null 2>&1; then
    log "installing debootstrap"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null ||
      { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null; } ||
      die "cannot install debootstrap"
  fi

  local names=("$@")
  if [ ${#names[@]} -eq 0 ]; then
    read -r -a names <<<"${SANDBOXED_IMAGES:-base python node}"
    [ -n "${SANDBOXED_IMAGES:-}" ] || [ "${SANDBOXED_IMAGES_POLYGLOT:-1}" = 0 ] || names+=(polyglot)
  fi

  mkdir -p "$CACHE"
  # One build at a time per cache (CI steps and developers may overlap).
  exec 9>"$CACHE/.lock"
  flock 9

  local started=$(date +%s)
  for name in "${names[@]}"; do build_one "$name"; done
  log "done in $(($(date +%s) - started))s: ${names[*]}"
}

main "$@"
