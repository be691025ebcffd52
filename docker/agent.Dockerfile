# syntax=docker/dockerfile:1
# sandboxed/agent: FROM scratch, only the static sandbox agent at /sandbox-agent. The kubernetes runtime's
# `agentImage` option runs it as an init container (`/sandbox-agent --install ...`) in every sandbox pod,
# so the agent runs even in images without tar (docs/agent.md, docs/operators.md).
# The same image as `scripts/build-images.sh agent` builds without a registry. Tag it by the source's hash,
# as that script does, so two agent versions never share a tag (context: the repo root):
#   hash=$(cat libs/agent/native/{sandbox-agent.c,agent-builtins.c,agent-builtins.h} | sha256sum | cut -c1-16)
#   docker build -f docker/agent.Dockerfile -t registry.example.com/sandboxed/agent:$hash .
ARG BUILD_IMAGE=debian:bookworm-slim

FROM ${BUILD_IMAGE} AS build
RUN apt-get update -qq && apt-get install -y -qq --no-install-recommends gcc libc6-dev libpcre2-dev >/dev/null
COPY libs/agent/native/sandbox-agent.c libs/agent/native/agent-builtins.c libs/agent/native/agent-builtins.h /src/
RUN cc -static -O2 -s -DAGENT_PCRE2 -o /sandbox-agent /src/sandbox-agent.c /src/agent-builtins.c -lpcre2-8 && \
    chmod 0755 /sandbox-agent

FROM scratch
COPY --from=build /sandbox-agent /sandbox-agent
# The pod sets its own non-root user; this one is for a plain `docker run IMAGE --version`.
USER 65534:65534
ENTRYPOINT ["/sandbox-agent"]
