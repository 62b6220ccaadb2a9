/**
 * @module server/routes/health
 * `GET /health`: 503 `{"status":"loading"}` until the model is ready, then 200
 * with what the server runs.
 */
import type { Context } from "hono";
import type { AppDeps } from "../app-deps.js";

export function healthRoute(deps: AppDeps) {
  return function health(c: Context): Response {
    const engine = deps.engine();
    if (!engine) return c.json({ status: "loading" }, 503);
    const { info } = engine;
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
      exemplar_sets: [...deps.catalog.sets.keys()],
      default_exemplar_set: deps.catalog.defaultSet.name,
      ...(info.upstream !== undefined ? { upstream: info.upstream } : {}),
      busy_sequences: engine.status().busySequences,
      queued: engine.status().queued,
    });
  };
}
