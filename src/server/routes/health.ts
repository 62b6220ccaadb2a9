/**
 * @module server/routes/health
 * `GET /health`: 503 `{"status":"loading"}` until the model is ready, then 200
 * with what the server runs; 503 `{"status":"unavailable","reason"}` while the
 * engine cannot serve (a remote engine whose upstreams are all down).
 */
import type { Context } from "hono";
import type { AppDeps } from "../app-deps.js";

export function healthRoute(deps: AppDeps) {
  return function health(c: Context): Response {
    const engine = deps.engine();
    if (!engine) return c.json({ status: "loading" }, 503);
    const { info } = engine;
    const status = engine.status();
    if (status.unavailable !== undefined) return c.json({ status: "unavailable", reason: status.unavailable, ...(status.upstreams ? { upstreams: status.upstreams } : {}) }, 503);
    return c.json({
      status: "ok",
      model: info.modelName,
      model_path: info.modelPath,
      context_size: info.contextSize,
      threads: info.threads,
      ...(info.batchThreads !== undefined ? { batch_threads: info.batchThreads } : {}),
      parallel: info.parallel,
      max_queue: info.maxQueue,
      gpu: info.gpu,
      gpu_layers: info.gpuLayers,
      ...(info.flashAttention !== undefined ? { flash_attention: info.flashAttention } : {}),
      exemplar_sets: [...deps.catalog.sets.keys()],
      default_exemplar_set: deps.catalog.defaultSet.name,
      ...(info.upstream !== undefined ? { upstream: info.upstream } : {}),
      ...(status.upstreams ? { upstreams: status.upstreams } : {}),
      busy_sequences: status.busySequences,
      queued: status.queued,
    });
  };
}
