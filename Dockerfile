# urial-proxy — serve an untuned base GGUF model through the URIAL prompt.
#
#   docker build -t urial-proxy .
#   docker run -p 8080:8080 -v "$PWD/models:/models" urial-proxy --model /models/base.gguf
#
# CPU image. For NVIDIA GPUs, node-llama-cpp's CUDA prebuilt binaries are
# installed by `npm ci` too; run on a CUDA runtime base image instead (see README).

FROM node:20-bookworm-slim AS build
WORKDIR /app
ENV NODE_LLAMA_CPP_SKIP_DOWNLOAD=true
COPY package.json package-lock.json tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY bench ./bench
# `npm ci` runs `prepare`, which compiles src/ into dist/.
RUN npm ci --no-audit --no-fund && npm prune --omit=dev

FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production \
    NODE_LLAMA_CPP_SKIP_DOWNLOAD=true \
    URIAL_HOST=0.0.0.0 \
    URIAL_PORT=8080
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
COPY exemplars ./exemplars
COPY system-prompts ./system-prompts
USER node
VOLUME ["/models"]
EXPOSE 8080
HEALTHCHECK --interval=15s --timeout=3s --start-period=120s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:8080/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
ENTRYPOINT ["node", "dist/src/cli/urial.js", "serve"]
