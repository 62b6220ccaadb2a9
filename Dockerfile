# urial-proxy — serve an untuned base GGUF model through the URIAL prompt.
#
#   docker build -t urial-proxy .
#   docker run -p 8080:8080 -v urial-data:/data urial-proxy serve --model hf:<user>/<repo>/<file>.gguf
#   docker run -p 8080:8080 -v "$PWD/models:/data/models" urial-proxy serve --model /data/models/base.gguf
#
# CPU image on Debian (bookworm), with only the CPU build of node-llama-cpp for
# this architecture. For NVIDIA GPUs build Dockerfile.cuda (CUDA 13 runtime,
# driver 580 or newer) or Dockerfile.cuda12 (older drivers); see the README.
# Everything the server writes — pulled models, prefix states, the A/B outcome
# log, caches — lives in the /data volume, so it outlives the container.

FROM node:20-bookworm-slim AS build
WORKDIR /app
# node-llama-cpp's prebuilt llama.cpp binaries come from npm: never download or compile.
ENV NODE_LLAMA_CPP_SKIP_DOWNLOAD=true
COPY package.json package-lock.json tsconfig.json tsconfig.build.json ./
COPY scripts/prune-prebuilt-binaries.mjs ./scripts/
COPY src ./src
COPY bench ./bench
# `npm ci` runs `prepare`, which compiles src/ into dist/; then drop the dev
# dependencies and every prebuilt binary but this architecture's CPU build.
RUN npm ci --no-audit --no-fund \
    && npm prune --omit=dev --no-audit --no-fund \
    && node scripts/prune-prebuilt-binaries.mjs cpu

FROM node:20-bookworm-slim
LABEL org.opencontainers.image.title="urial-proxy" \
      org.opencontainers.image.description="OpenAI-compatible server for untuned base GGUF models through the URIAL prompt (CPU)" \
      org.opencontainers.image.version="0.1.0" \
      org.opencontainers.image.licenses="MIT" \
      org.opencontainers.image.base.name="docker.io/library/node:20-bookworm-slim"
WORKDIR /app
# URIAL_SHUTDOWN_TIMEOUT stays under `docker stop`'s 10 s grace, so running
# requests finish (or get a clean 503) before the container is killed.
ENV NODE_ENV=production \
    NODE_LLAMA_CPP_SKIP_DOWNLOAD=true \
    URIAL_HOST=0.0.0.0 \
    URIAL_PORT=8080 \
    URIAL_SHUTDOWN_TIMEOUT=8 \
    URIAL_MODELS_DIR=/data/models \
    URIAL_PREFIX_CACHE_DIR=/data/prefix-states \
    URIAL_EXPERIMENT_LOG=/data/experiments/outcomes.jsonl \
    XDG_CACHE_HOME=/data/cache
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
COPY exemplars ./exemplars
COPY system-prompts ./system-prompts
COPY shift-prompts ./shift-prompts
COPY ab-suites ./ab-suites
COPY playground ./playground
# `urial` on the PATH; the app's files stay root-owned (read-only for the
# server); /data belongs to the unprivileged `node` user (uid 1000), and a new
# named volume takes that ownership from the image.
RUN chmod 755 dist/src/cli/urial.js \
    && ln -s /app/dist/src/cli/urial.js /usr/local/bin/urial \
    && mkdir -p /data/models /data/prefix-states /data/experiments /data/cache \
    && chown -R node:node /data
USER node
VOLUME ["/data"]
EXPOSE 8080
HEALTHCHECK --interval=15s --timeout=3s --start-period=120s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.URIAL_PORT||8080)+'/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
STOPSIGNAL SIGTERM
ENTRYPOINT ["urial"]
CMD ["serve"]
