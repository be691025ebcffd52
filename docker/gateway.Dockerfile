# syntax=docker/dockerfile:1
# The sandboxed gateway image, to run against a Docker engine (profile `docker`).
#   docker build -f docker/gateway.Dockerfile -t sandboxed/gateway:local .     (context: the repo root)
# Then docker/compose.yaml, or: docker run -v /var/run/docker.sock:/var/run/docker.sock \
#   --group-add "$(stat -c %g /var/run/docker.sock)" -e SANDBOXED_AUTH__JWT__SECRET=... -p 127.0.0.1:8080:8080 sandboxed/gateway:local
# The gateway refuses to listen on 0.0.0.0 without auth: pass SANDBOXED_AUTH__JWT__SECRET (>= 32 bytes),
# another auth.jwt key, or SANDBOXED_AUTH__API_KEYS='{"sk_...":"alice"}'. Operator guide: docs/docker.md
ARG NODE_IMAGE=node:24-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /src
# .dockerignore keeps the host's node_modules, dist and .git out of the context.
COPY . .
RUN npm ci --no-audit --no-fund && npm run build
# The sandbox agent, built once here (static), so the gateway needs no compiler (docs/agent.md).
RUN apt-get update -qq && apt-get install -y -qq --no-install-recommends gcc libc6-dev libpcre2-dev >/dev/null && \
    cc -static -O2 -s -DAGENT_PCRE2 -o libs/agent/native/sandbox-agent \
      libs/agent/native/sandbox-agent.c libs/agent/native/agent-builtins.c -lpcre2-8
# The runtime tree: every workspace's package.json and dist, the config, production dependencies only.
RUN set -eu; mkdir -p /out; \
    cp package.json package-lock.json /out/; \
    cp -r config /out/config; \
    for pkg in libs/* plugins/* apps/*; do \
      mkdir -p "/out/$pkg"; cp "$pkg/package.json" "/out/$pkg/"; cp -r "$pkg/dist" "/out/$pkg/dist"; \
    done; \
    mkdir -p /out/libs/agent/native; cp libs/agent/native/sandbox-agent /out/libs/agent/native/; \
    find /out -name '*.tsbuildinfo' -delete; \
    cd /out && npm ci --omit=dev --ignore-scripts --no-audit --no-fund

FROM ${NODE_IMAGE}
ENV NODE_ENV=production \
    SANDBOXED_PROFILE=docker \
    SANDBOXED_SERVER__HOST=0.0.0.0 \
    SANDBOXED_SERVER__PORT=8080
WORKDIR /app
COPY --from=build /out /app
# Non-root, no home, owns nothing in /app. The engine socket's group is added at run time (--group-add).
USER 10001:10001
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.SANDBOXED_SERVER__PORT || 8080) + '/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# A 4 MB young generation, as `npm start` runs it (docs/operators.md#memory).
CMD ["node", "--max-semi-space-size=4", "apps/gateway/dist/main.js"]
