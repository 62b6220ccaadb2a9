/**
 * @module server/routes/experiments
 * `GET /v1/experiments` (the experiments and their variants) and
 * `GET /v1/experiments/:id` (per-variant counts, latency, length, cache reuse
 * and feedback rates with 95 % intervals). 404 when the server runs none.
 */
import type { Context } from "hono";
import type { ExperimentRegistry } from "../../ab/online/experiment-registry.js";
import { ApiError } from "../../openai/api-error.js";
import type { AppDeps } from "../app-deps.js";

export function listExperimentsRoute(deps: AppDeps) {
  return function listExperiments(c: Context): Response {
    return c.json({ object: "list", data: requireExperiments(deps).list() });
  };
}

export function getExperimentRoute(deps: AppDeps) {
  return function getExperiment(c: Context): Response {
    const id = c.req.param("id") ?? "";
    const stats = requireExperiments(deps).stats(id, deps.catalog);
    if (stats === undefined) {
      const known = requireExperiments(deps).experiments.map((experiment) => experiment.id);
      throw new ApiError({ status: 404, type: "not_found_error", message: `No experiment '${id.slice(0, 100)}'. Experiments: ${known.join(", ")}.`, param: "id", code: "experiment_not_found" });
    }
    return c.json(stats);
  };
}

/** The server's experiments; 404 when it was started without `--experiments`. */
export function requireExperiments(deps: AppDeps): ExperimentRegistry {
  if (deps.experiments !== undefined) return deps.experiments;
  throw new ApiError({
    status: 404,
    type: "not_found_error",
    message: "This server runs no A/B experiments (start it with --experiments FILE).",
    code: "experiments_not_enabled",
  });
}
