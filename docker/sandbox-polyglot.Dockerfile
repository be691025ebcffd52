# sandboxed/polyglot: base + Python, Node.js, Go, Java, Rust, Ruby and PHP
# The same image as `scripts/build-images.sh polyglot` builds without a registry (debootstrap + docker import).
#   docker build -f docker/sandbox-polyglot.Dockerfile -t sandboxed/polyglot:local docker/
FROM debian:bookworm-slim

# coreutils, findutils, grep, tar, bash and util-linux are already in the base image.
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      procps ca-certificates netcat-openbsd tini \
      python3 nodejs golang-go default-jdk-headless rustc libc6-dev ruby php-cli \
 && rm -rf /var/lib/apt/lists/* /usr/share/doc/* /usr/share/man/*

# The non-root sandbox user (uid/gid 1000) owns the workspace; the runtime runs everything as 1000:1000.
RUN groupadd --gid 1000 sandbox \
 && useradd --uid 1000 --gid 1000 --home-dir /workspace --no-create-home --shell /bin/bash sandbox \
 && mkdir -p /workspace \
 && chown 1000:1000 /workspace \
 && chmod 0755 /workspace

ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    LANG=C.UTF-8 \
    HOME=/workspace
WORKDIR /workspace
USER 1000:1000
LABEL sandboxed.image-name=polyglot
CMD ["sleep", "infinity"]
