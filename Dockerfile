# urial-proxy — serve an untuned base GGUF model through the URIAL prompt.
#
#   docker build -t urial-proxy .
#   docker run -p 8080:8080 -v "$PWD/models:/models" urial-proxy --model /models/base.gguf
#
# CPU image on Debian (bookworm). For NVIDIA GPUs build Dockerfile.cuda instead
# (same app, CUDA runtime base image; see the README's Docker section).

FROM node:20-bookworm-slim AS build
WORKDIR /app
# node-llama-cpp's prebuilt llama.cpp binaries come from npm: never download or compile.
ENV NODE_LLAMA_CPP_SKIP_DOWNLOAD=true
COPY package.json package-lock.json tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY bench ./bench
# `npm ci` runs `prepare`, which compiles src/ into dist/; then drop the dev dependencies.
RUN npm ci --no-audit --no-fund && npm prune --omit=dev --no-audit --no-fund

FROM node:20-bookworm-slim
WORKDIR /app
# URIAL_SHUTDOWN_TIMEOUT stays under `docker stop`'s 10 s grace, so running
# requests finish (or get a clean 503) before the container is killed.
ENV NODE_ENV=production \
    NODE_LLAMA_CPP_SKIP_DOWNLOAD=true \
    URIAL_HOST=0.0.0.0 \
    URIAL_PORT=8080 \
    URIAL_SHUTDOWN_TIMEOUT=8
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
COPY exemplars ./exemplars
COPY system-prompts ./system-prompts
COPY shift-prompts ./shift-prompts
COPY ab-suites ./ab-suites
COPY playground ./playground
# The app's files stay root-owned (read-only for the server); models live in a
# volume the unprivileged `node` user (uid 1000) can read, and write for pulls.
RUN mkdir -p /models && chown node:node /models
USER node
VOLUME ["/models"]
EXPOSE 8080
HEALTHCHECK --interval=15s --timeout=3s --start-period=120s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.URIAL_PORT||8080)+'/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
STOPSIGNAL SIGTERM
ENTRYPOINT ["node", "dist/src/cli/urial.js", "serve"]
