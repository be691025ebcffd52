# sandboxed/browser: base + Debian's Chromium (/usr/lib/chromium/chromium), fonts and python3
# The same image as `scripts/build-images.sh browser` builds without a registry (debootstrap + docker import).
#   docker build -f docker/sandbox-browser.Dockerfile -t sandboxed/browser:local docker/
FROM debian:bookworm-slim

# coreutils, findutils, grep, tar, bash and util-linux are already in the base image.
# bookworm-slim's sources include bookworm-security, where Debian ships Chromium's security fixes.
# Liberation is metric-compatible with Arial, Times and Courier. dbus-x11 provides the session bus
# GTK's dconf asks for; without it apt picks dbus-user-session, which pulls in systemd.
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      procps ca-certificates netcat-openbsd tini \
      chromium fonts-liberation fonts-dejavu-core dbus-x11 python3 \
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
LABEL sandboxed.image-name=browser
CMD ["sleep", "infinity"]
